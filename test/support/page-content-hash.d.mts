export function contentHashOfBytes(bytes: Uint8Array | ArrayBuffer): Promise<string>;
