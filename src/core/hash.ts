/**
 * Incremental SHA-256. `crypto.subtle.digest` needs the whole input in memory at once; hash-wasm's
 * streaming hasher lets every write, upload and download hash the bytes as they pass, in constant memory.
 */
import { createSHA256, type IHasher } from 'hash-wasm';

export interface StreamingHash {
  update(chunk: Uint8Array): void;
  /** Lowercase hex digest. */
  digest(): string;
}

export async function createStreamingHash(): Promise<StreamingHash> {
  const hasher: IHasher = await createSHA256();
  hasher.init();
  return {
    update: (chunk) => void hasher.update(chunk),
    digest: () => hasher.digest('hex'),
  };
}

/** Hashes a blob by streaming it, never reading it whole. */
export async function hashBlob(blob: Blob): Promise<string> {
  const hash = await createStreamingHash();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return hash.digest();
    hash.update(value);
  }
}
