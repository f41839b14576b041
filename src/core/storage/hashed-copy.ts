/** The read loop every write of a stream shares: each chunk hashed and handed on, the hash checked at the end. */
import { FileSyncError } from '../errors.js';
import type { ChunkReader, WriteOptions, WriteResult } from './file-storage.js';
import { createContentHasher } from './hash.js';

/**
 * Reads `reader` to its end, handing each chunk to `take` (with the offset it starts at) and hashing it; the
 * result is refused unless it hashes to `options.expectedHash` (when given). The reader is cancelled when
 * anything fails, an abort of `options.signal` included.
 */
export async function copyHashed(
  reader: ChunkReader,
  options: WriteOptions,
  take: (chunk: Uint8Array<ArrayBuffer>, at: number) => void | Promise<void>,
): Promise<WriteResult> {
  const hash = createContentHasher();
  let size = 0;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      await take(value, size);
      size += value.byteLength;
      await hash.update(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  const digest = await hash.digest();
  if (options.expectedHash !== undefined && digest !== options.expectedHash) {
    throw new FileSyncError('hash_mismatch', `The bytes received hash to ${digest}, not ${options.expectedHash}`);
  }
  return { hash: digest, size };
}
