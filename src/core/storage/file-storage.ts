/**
 * Where this device keeps the bytes of files: in OPFS (`LocalFileStorage`, kept across visits), or, where the
 * browser offers no private file system (private windows, storage turned off, a quota of zero), in the memory
 * of this tab (`MemoryFileStorage`, gone when the tab closes). The rest of the core sees only this.
 */

/** `device`: files stay on this device (OPFS). `memory`: only this tab holds them, until it closes. */
export type StorageMode = 'device' | 'memory';

/**
 * What `write` reads from: a ReadableStream's reader, or anything that reads the same way. A chunk is the
 * writer's only until its next `read` (readers of Blobs and downloads read into one buffer again and again):
 * a writer that keeps bytes copies them.
 */
export interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>>;
  cancel(reason?: unknown): Promise<void>;
}

export interface WriteResult {
  readonly hash: string;
  readonly size: number;
}

export interface WriteOptions {
  /** Refuse (and discard) the write unless the bytes hash to this. */
  readonly expectedHash?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (written: number) => void;
  /** The size expected, if known: a small file then gets a small write buffer. */
  readonly sizeHint?: number;
}

export interface FileStorage {
  readonly kind: StorageMode;
  readonly storeId: string;
  /** The kit's OPFS directory (also names the store's tab channel and lock). */
  readonly root: string;
  /** Streams what `reader` reads into the file `id`; the previous bytes stay until the new ones are complete and verified. */
  write(id: string, reader: ChunkReader, options?: WriteOptions): Promise<WriteResult>;
  /** Keeps a Blob (a dropped File, say) as the file `id`, and gives its hash. */
  writeBlob(id: string, blob: Blob): Promise<WriteResult>;
  /** The bytes of `id`, or undefined. */
  read(id: string): Promise<File | undefined>;
  remove(id: string): Promise<void>;
}
