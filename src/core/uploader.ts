/**
 * Uploads a file's bytes from OPFS: small files in one request, large ones as a resumable multipart upload.
 *
 * A multipart upload's id and every acknowledged part are committed to the client-only tables as they
 * happen, so after a reload, a crash or a lost connection the upload resumes at the next missing part.
 * Parts are slices of the disk-backed File, so memory stays at a few parts in flight whatever the size.
 */
import { queryDb } from '@livestore/livestore';
import { TransferError } from './errors.js';
import { CONTENT_BLOCK_SIZE } from './hash.js';
import { remoteKeyOf } from './reconcile.js';
import type { RemoteFileStorage } from './remote-storage.js';
import { fileLocalStateTable, fileSyncEvents as events, uploadPartsTable } from './schema.js';
import type { FileSyncStore } from './store.js';

export interface MultipartOptions {
  /** Files larger than this go up in parts. */
  readonly threshold: number;
  /**
   * Smallest part; R2 needs at least 5 MiB for every part but the last. Rounded up to whole 4 MiB blocks of
   * the content hash, so the worker checks each part's bytes as they arrive instead of reading the whole
   * file back once it is assembled.
   */
  readonly minPartSize: number;
  /** Parts in flight at once, per file. */
  readonly concurrency: number;
}

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

export const DEFAULT_MULTIPART: MultipartOptions = { threshold: 32 * MiB, minPartSize: 8 * MiB, concurrency: 3 };

/** The part size for a file: whole content-hash blocks, at least `minPartSize`, and few enough parts (10,000). */
export function partSizeFor(size: number, minPartSize: number): number {
  const least = Math.max(minPartSize, Math.ceil(size / MAX_PARTS), 1);
  return Math.ceil(least / CONTENT_BLOCK_SIZE) * CONTENT_BLOCK_SIZE;
}

export interface UploadRequest {
  readonly id: string;
  readonly hash: string;
  readonly type: string;
  readonly remoteKey: string;
  readonly blob: Blob;
}

interface UploadState {
  readonly uploadId: string;
  readonly hash: string;
  readonly partSize: number;
}

/** Server answers after which a multipart upload cannot go on and must start again from its first part. */
const RESTART_CODES = new Set(['no_such_upload', 'invalid_parts', 'hash_mismatch', 'size_mismatch']);

export class Uploader {
  constructor(
    private readonly store: FileSyncStore,
    private readonly remote: RemoteFileStorage,
    private readonly options: MultipartOptions = DEFAULT_MULTIPART,
  ) {}

  async upload(request: UploadRequest, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    if (request.blob.size <= this.options.threshold) {
      await this.remote.upload(request.remoteKey, request.blob, request.type, { signal, onProgress });
      return;
    }
    try {
      await this.#multipart(request, signal, onProgress);
    } catch (error) {
      if (error instanceof TransferError && RESTART_CODES.has(error.code)) {
        this.store.commit(events.uploadCleared({ id: request.id, at: Date.now() }));
        throw new TransferError(error.code, `${error.message}; the upload starts again`, error.status, true);
      }
      throw error;
    }
  }

  /** Aborts the multipart upload a file has in progress, if any (the file was deleted or replaced). */
  async abandon(id: string, signal?: AbortSignal): Promise<void> {
    const state = this.#state(id);
    if (state === undefined) return;
    await this.remote.abortMultipart(remoteKeyOf(id, state.hash), state.uploadId, signal);
    this.store.commit(events.uploadCleared({ id, at: Date.now() }));
  }

  #state(id: string): UploadState | undefined {
    const row = this.store.query(queryDb(fileLocalStateTable.where({ id }).first(), { label: `lsfs-upload-${id}`, deps: [id] }));
    if (!row?.upload) return undefined;
    try {
      return JSON.parse(row.upload) as UploadState;
    } catch {
      return undefined;
    }
  }

  async #multipart(request: UploadRequest, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    const { id, hash, remoteKey, blob } = request;
    let state = this.#state(id);
    if (state !== undefined && state.hash !== hash) {
      // Bytes replaced since this upload began: its parts are of other content.
      await this.abandon(id, signal).catch(() => {});
      state = undefined;
    }
    if (state === undefined) {
      const partSize = partSizeFor(blob.size, this.options.minPartSize);
      const uploadId = await this.remote.startMultipart(remoteKey, blob.size, request.type, signal);
      this.store.commit(events.uploadStarted({ id, hash, uploadId, partSize, at: Date.now() }));
      state = { uploadId, hash, partSize };
    }
    const { uploadId, partSize } = state;
    const count = Math.max(1, Math.ceil(blob.size / partSize));
    const sizeOf = (n: number) => Math.min(blob.size, n * partSize) - (n - 1) * partSize;

    const done = new Map<number, string>();
    for (const part of this.store.query(queryDb(uploadPartsTable.where({ fileId: id }), { label: `lsfs-parts-${id}`, deps: [id] }))) {
      if (part.uploadId === uploadId && part.partNumber <= count) done.set(part.partNumber, part.etag);
    }
    let doneBytes = [...done.keys()].reduce((sum, n) => sum + sizeOf(n), 0);
    const inFlight = new Map<number, number>();
    const report = () => onProgress(doneBytes + [...inFlight.values()].reduce((a, b) => a + b, 0));
    report();

    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
    await pool(missing, this.options.concurrency, signal, async (n, partSignal) => {
      const start = (n - 1) * partSize;
      const etag = await this.remote.uploadPart(remoteKey, uploadId, n, blob.slice(start, start + sizeOf(n)), {
        signal: partSignal,
        onProgress: (loaded) => {
          inFlight.set(n, loaded);
          report();
        },
      });
      this.store.commit(events.uploadPartDone({ id, uploadId, partNumber: n, etag }));
      done.set(n, etag);
      inFlight.delete(n);
      doneBytes += sizeOf(n);
      report();
    });

    const parts = [...done].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
    await this.remote.completeMultipart(remoteKey, uploadId, parts, signal);
    this.store.commit(events.uploadCleared({ id, at: Date.now() }));
  }
}

/** Runs `task` over `items`, `limit` at a time; the first failure aborts the others and is thrown. */
async function pool<T>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure.error;
  signal.throwIfAborted();
}
