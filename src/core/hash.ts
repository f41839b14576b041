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

/**
 * Hashers done with, for the next write. Each `createSHA256()` instantiates a WebAssembly module with memory
 * of its own: saving 1,000 small files made 1,000 of them, and collecting their memory made pauses of over
 * 100 ms. A few are kept (as many as run at once: a save, some downloads); the rest go.
 */
const idle: IHasher[] = [];
const KEEP_IDLE = 4;

export async function createStreamingHash(): Promise<StreamingHash> {
  const hasher: IHasher = idle.pop() ?? (await createSHA256());
  hasher.init();
  let digested = false;
  return {
    update: (chunk) => void hasher.update(chunk),
    digest: () => {
      const hex = hasher.digest('hex');
      // Back to the pool once, after its last use: nothing updates a hash after reading its digest.
      if (!digested && idle.length < KEEP_IDLE) idle.push(hasher);
      digested = true;
      return hex;
    },
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
