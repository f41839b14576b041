/**
 * The bytes of files in this tab's memory, for browsers that give the page no private file system: a dropped
 * file is kept as the `File` the browser gave (read from where the user picked it, not copied), a downloaded
 * one as the Blob of its chunks. Nothing outlives the tab.
 */
import { DEFAULT_LOCAL_DIRECTORY } from './local-storage.js';
import type { ChunkReader, FileStorage, WriteOptions, WriteResult } from './file-storage.js';
import { hashBlob } from './block-reader.js';
import { copyHashed } from './hashed-copy.js';

/**
 * The tab's files, per store: a store opened again in the same tab (after LiveStore stopped it) finds the
 * bytes saved before, as a store on the device finds them in OPFS.
 */
const tabFiles = new Map<string, Map<string, Blob>>();

export class MemoryFileStorage implements FileStorage {
  readonly kind = 'memory';
  readonly #files: Map<string, Blob>;

  constructor(
    readonly storeId: string,
    readonly root: string = DEFAULT_LOCAL_DIRECTORY,
  ) {
    const key = `${root}/${storeId}`;
    let files = tabFiles.get(key);
    if (files === undefined) tabFiles.set(key, (files = new Map()));
    this.#files = files;
  }

  async write(id: string, reader: ChunkReader, options: WriteOptions = {}): Promise<WriteResult> {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const result = await copyHashed(reader, options, (chunk, at) => {
      // Kept, so copied: the reader reads into the same buffer again.
      chunks.push(chunk.slice());
      options.onProgress?.(at + chunk.byteLength);
    });
    this.#files.set(id, new Blob(chunks));
    return result;
  }

  async writeBlob(id: string, blob: Blob): Promise<WriteResult> {
    const hash = await hashBlob(blob);
    this.#files.set(id, blob);
    return { hash, size: blob.size };
  }

  async read(id: string): Promise<File | undefined> {
    return this.peek(id);
  }

  /** `read` without waiting: the service worker's lookups are answered synchronously. */
  peek(id: string): File | undefined {
    const blob = this.#files.get(id);
    return blob === undefined ? undefined : new File([blob], id, { type: blob.type });
  }

  async remove(id: string): Promise<void> {
    this.#files.delete(id);
  }
}
