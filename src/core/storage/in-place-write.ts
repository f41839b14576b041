/**
 * Writing a new file through a sync access handle, which only a dedicated worker has (the kit's download
 * worker). Each write is a plain call into the file rather than a message to the browser's storage process,
 * so chunks go as they come (no batching) and the worker spends far less on each byte than through
 * `createWritable()` (bench/README.md). It writes in place: only for a file that does not exist yet, where
 * a write cut short leaves bytes no record names (a download notes its copy only once it is verified, and
 * the failure path removes what was written).
 */
import type { ChunkReader, WriteOptions, WriteResult } from './file-storage.js';
import { copyHashed } from './hashed-copy.js';

/** The part of a sync access handle used here (the DOM types leave it out: it exists in dedicated workers only). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

/** Whether this realm can write files in place (a dedicated worker of a browser with sync access handles). */
export const canWriteInPlace = (): boolean =>
  typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;

/** Writes what `reader` reads into `handle` (a file just created), hashing it on the way. */
export async function writeInPlace(handle: FileSystemFileHandle, reader: ChunkReader, options: WriteOptions = {}): Promise<WriteResult> {
  const access = await (handle as FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> }).createSyncAccessHandle();
  try {
    const result = await copyHashed(reader, options, (chunk, at) => {
      for (let offset = 0; offset < chunk.byteLength; ) {
        const written = access.write(chunk.subarray(offset), { at: at + offset });
        // A write that stores nothing and throws nothing has met a full disk.
        if (written === 0) throw new DOMException('Not enough storage space for the file', 'QuotaExceededError');
        offset += written;
      }
      options.onProgress?.(at + chunk.byteLength);
    });
    access.flush();
    return result;
  } finally {
    access.close();
  }
}
