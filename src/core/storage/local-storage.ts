/**
 * The bytes on this device, in OPFS under a directory of the kit's own (`ls-file-sync/<storeId>/` by default), apart
 * from LiveStore's `livestore-<storeId>` directory. Works in a page, a worker and a service worker.
 *
 * Every write streams: the bytes pass through the hasher and into a `createWritable()` stream, whose
 * contents replace the file only on `close()`, so a crash mid-write never leaves a torn file behind. A new
 * file written in a worker goes through a sync access handle instead (in-place-write.ts); a page hands large
 * saves, and all of them without `createWritable()` (Safari before 26), to the kit's worker (`saveElsewhere`).
 */
import { FileSyncError, isQuotaError } from '../errors.js';
import type { ChunkReader, FileStorage, WriteOptions, WriteResult } from './file-storage.js';
import { hashBlob, readInBlocks } from './block-reader.js';
import { copyHashed } from './hashed-copy.js';
import { canWriteInPlace, writeInPlace } from './in-place-write.js';

/** The kit's OPFS directory unless told otherwise. */
export const DEFAULT_LOCAL_DIRECTORY = 'ls-file-sync';

/** A Blob this large or larger is saved by the kit's worker when a page saves it. */
const SAVE_IN_WORKER_FROM = 8 * 1024 * 1024;

/** Bytes gathered before each write to OPFS. */
const WRITE_BATCH = 4 * 1024 * 1024;

export class LocalFileStorage implements FileStorage {
  readonly kind = 'device';
  #dir: Promise<FileSystemDirectoryHandle> | undefined;

  constructor(
    readonly storeId: string,
    readonly root: string = DEFAULT_LOCAL_DIRECTORY,
    /** Saves a Blob in the kit's worker: for a page without `createWritable()`, and for large files (faster there). */
    private readonly saveElsewhere?: (id: string, blob: Blob) => Promise<WriteResult>,
  ) {}

  #directory(): Promise<FileSystemDirectoryHandle> {
    this.#dir ??= (async () => {
      const root = await navigator.storage.getDirectory();
      const kit = await root.getDirectoryHandle(this.root, { create: true });
      return kit.getDirectoryHandle(this.storeId, { create: true });
    })();
    return this.#dir;
  }

  /** Streams what `reader` reads into the file `id`; the previous bytes stay until the new ones are complete and verified. */
  async write(id: string, reader: ChunkReader, options: WriteOptions = {}): Promise<WriteResult> {
    if (canWriteInPlace()) {
      const fresh = await this.#create(id);
      if (fresh) return this.#inPlace(id, () => writeInPlace(fresh, reader, options));
    }
    return this.#replace(id, async (writable) => {
      // Each write is a round trip to the browser's storage process, so chunks are copied into batches of
      // up to 4 MiB first (a Blob of the chunks per batch cost the main thread more than the copy). A batch
      // is allocated when bytes come, no larger than what is still expected (a small file gets a small
      // one), and written while the next is read and hashed: waiting for each write before reading on
      // made the two take turns.
      let batch: Uint8Array<ArrayBuffer> | undefined;
      let batched = 0;
      let flushed = 0;
      const capacity = () => Math.max(64 * 1024, Math.min(WRITE_BATCH, (options.sizeHint ?? WRITE_BATCH) - flushed));
      let writing: Promise<void> = Promise.resolve();
      const flush = async () => {
        if (batch === undefined || batched === 0) return;
        const bytes = batch.subarray(0, batched);
        flushed += batched;
        const written = flushed;
        // The next batch gets a fresh buffer: the one just handed to write() may still be read.
        batch = undefined;
        batched = 0;
        await writing;
        writing = writable.write(bytes).then(() => options.onProgress?.(written));
        // Handled here as well as where it is awaited, so a failure while the next batch is read is not
        // reported as unhandled before the next flush rethrows it.
        writing.catch(() => {});
      };
      const add = async (chunk: Uint8Array) => {
        for (let offset = 0; offset < chunk.byteLength; ) {
          batch ??= new Uint8Array(capacity());
          const n = Math.min(batch.byteLength - batched, chunk.byteLength - offset);
          batch.set(chunk.subarray(offset, offset + n), batched);
          batched += n;
          offset += n;
          if (batched === batch.byteLength) await flush();
        }
      };
      const result = await copyHashed(reader, options, add);
      await flush();
      await writing;
      return result;
    });
  }

  /**
   * Writes a Blob (a dropped File, say) as the file `id`. The browser copies the blob into OPFS itself
   * while this hashes it from a second read: no bytes pass through JavaScript on the write path, and the
   * two run side by side.
   */
  async writeBlob(id: string, blob: Blob): Promise<WriteResult> {
    // A worker writes a new file in place, reading and hashing the Blob once; a page hands a large file (or
    // any, without createWritable) to the kit's worker to do so, and writes a small one itself, sparing the
    // round trip (bench/README.md, "save path").
    const fresh = canWriteInPlace() ? await this.#create(id) : undefined;
    if (fresh) return this.#inPlace(id, () => writeInPlace(fresh, readInBlocks(blob), { sizeHint: blob.size }));
    if (this.saveElsewhere && !canCreateWritable()) return this.saveElsewhere(id, blob);
    if (this.saveElsewhere && blob.size >= SAVE_IN_WORKER_FROM) {
      try {
        return await this.saveElsewhere(id, blob);
      } catch (error) {
        // No worker here (an app that bundles the core and serves no workers): the page writes it.
        if (!(error instanceof FileSyncError && error.code === 'worker_unavailable')) throw error;
      }
    }
    return this.#replace(id, async (writable) => {
      const [hashed, written] = await Promise.allSettled([hashBlob(blob), writable.write(blob)]);
      if (written.status === 'fulfilled' && hashed.status === 'fulfilled') return { hash: hashed.value, size: blob.size };
      // On a full disk either can fail, in either order, and not always with a quota error: the write of a
      // file over a lowered quota has failed with NotReadableError (in a CI run), and the hash's read has
      // failed before the write noticed anything. A write that could not read a blob the hash read whole
      // failed at its own end; otherwise the browser's estimate of the room left decides, when it knows
      // (it can report the quota from before a lowering, seen in a probe). What the user must hear is that
      // the disk is full.
      const failure: unknown = written.status === 'rejected' ? written.reason : hashed.status === 'rejected' ? hashed.reason : undefined;
      const failedAtDestination = hashed.status === 'fulfilled' && failure instanceof DOMException && failure.name === 'NotReadableError';
      if (!isQuotaError(failure) && (failedAtDestination || (await lacksSpaceFor(blob.size)))) {
        throw new DOMException('Not enough storage space for the file', 'QuotaExceededError');
      }
      throw failure;
    });
  }

  /**
   * Runs `fill` against a fresh writable for `id` and commits it only if `fill` succeeds: on any failure
   * the old bytes stay, a file created for the write is removed, and a full disk becomes `quota_exceeded`.
   */
  async #replace(id: string, fill: (writable: FileSystemWritableFileStream) => Promise<WriteResult>): Promise<WriteResult> {
    const dir = await this.#directory();
    const existed = await dir.getFileHandle(id).then(() => true, () => false);
    const handle = await dir.getFileHandle(id, { create: true });
    let writable: FileSystemWritableFileStream | undefined;
    try {
      writable = await handle.createWritable({ keepExistingData: false });
      const result = await fill(writable);
      await writable.close();
      return result;
    } catch (error) {
      await writable?.abort().catch(() => {});
      if (!existed) await dir.removeEntry(id).catch(() => {});
      if (isQuotaError(error)) {
        throw new FileSyncError('quota_exceeded', 'There is not enough storage space on this device for the file', { cause: error });
      }
      throw error;
    }
  }

  /** A handle on `id` if the file is new, created now; undefined if it exists. */
  async #create(id: string): Promise<FileSystemFileHandle | undefined> {
    const dir = await this.#directory();
    const existed = await dir.getFileHandle(id).then(() => true, () => false);
    return existed ? undefined : dir.getFileHandle(id, { create: true });
  }

  /** Runs an in-place write of the new file `id`: on any failure, the file goes and a full disk becomes `quota_exceeded`. */
  async #inPlace(id: string, write: () => Promise<WriteResult>): Promise<WriteResult> {
    try {
      return await write();
    } catch (error) {
      await (await this.#directory()).removeEntry(id).catch(() => {});
      if (isQuotaError(error)) {
        throw new FileSyncError('quota_exceeded', 'There is not enough storage space on this device for the file', { cause: error });
      }
      throw error;
    }
  }

  /** The bytes of `id` as a disk-backed File (reading it does not load it into memory), or undefined. */
  async read(id: string): Promise<File | undefined> {
    const dir = await this.#directory();
    try {
      return await (await dir.getFileHandle(id)).getFile();
    } catch (error) {
      if (error instanceof DOMException && (error.name === 'NotFoundError' || error.name === 'TypeMismatchError')) return undefined;
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    const dir = await this.#directory();
    await dir.removeEntry(id).catch((error: unknown) => {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    });
  }
}

/** Whether files can be written through `createWritable()` here (not in Safari before 26). */
export const canCreateWritable = (): boolean => typeof FileSystemFileHandle !== 'undefined' && 'createWritable' in FileSystemFileHandle.prototype;

/** Whether this origin's storage has less room left than `bytes`, as far as the browser says. */
async function lacksSpaceFor(bytes: number): Promise<boolean> {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return usage !== undefined && quota !== undefined && quota - usage < bytes;
  } catch {
    return false;
  }
}
