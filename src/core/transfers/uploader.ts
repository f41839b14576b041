/**
 * Uploads a file's bytes from OPFS: small files in one request, large ones as a resumable multipart upload.
 *
 * A multipart upload's id and its acknowledged parts are committed to the client-only tables as they happen
 * (the parts at most once a second), so after a reload, a crash or a lost connection the upload resumes at
 * the next missing part.
 * Parts are slices of the disk-backed File, so memory stays at a few parts in flight whatever the size.
 */
import { queryDb } from '@livestore/livestore';
import { TransferError } from '../errors.js';
import { CONTENT_BLOCK_SIZE } from '../storage/hash.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';
import { fileLocalStateTable, fileSyncEvents as events, uploadPartsTable } from '../store/schema.js';
import type { FileSyncStore } from '../store/store.js';
import { MAX_PARTS, newStaging, remoteKeyOf } from '../wire.js';
import { CommitBatcher } from './commit-batcher.js';

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
  /** The staging segment its parts go to; absent in uploads begun under the content key by earlier versions. */
  readonly staging?: string;
}

/**
 * A multipart upload begun while its file is still being saved (see `begin`): its parts are read from the
 * dropped blob, and are committed to the store only once the file's record is.
 */
interface EarlyUploadState {
  readonly staging: string;
  readonly partSize: number;
  readonly blob: Blob;
  readonly controller: AbortController;
  readonly done: Map<number, string>;
  uploadId?: string;
  /** Set by `recorded`: the file's record is committed, and so may the upload's state be. */
  hash?: string;
  /** The transfer queue's progress callback, once it has taken the upload over. */
  onProgress?: (loaded: number) => void;
}

interface EarlyUpload extends EarlyUploadState {
  /** Resolves to the upload's id when every part is sent. */
  readonly sent: Promise<string>;
}

/** The parts of one multipart upload to send, and what to do as each is acknowledged. */
interface PartsJob {
  readonly remoteKey: string;
  readonly uploadId: string;
  readonly partSize: number;
  readonly blob: Blob;
  /** Parts acknowledged so far, by number: skipped, and added to as parts are sent. */
  readonly done: Map<number, string>;
  /** Records acknowledged parts in the store (see ACKS_INTERVAL_MS), in order of acknowledgement. */
  readonly onPartsDone: (parts: readonly PartAck[]) => void;
  readonly onProgress: (loaded: number) => void;
}

interface PartAck {
  readonly partNumber: number;
  readonly etag: string;
}

/**
 * How often acknowledged parts are committed, at most (the first at once). Every commit is work for the
 * page, LiveStore's shared and leader workers and its database on disk: on a fast link, parts of 8 MiB were
 * acknowledged several times a second, and one commit per part took CPU from the transfer itself
 * (bench/README.md, "upload"). A reload or a crash sends again at most the parts of the last interval.
 */
const ACKS_INTERVAL_MS = 1000;

/** Server answers after which a multipart upload cannot go on and must start again from its first part. */
const RESTART_CODES = new Set(['no_such_upload', 'invalid_parts', 'hash_mismatch', 'size_mismatch', 'staging_used']);


export class Uploader {
  readonly #early = new Map<string, EarlyUpload>();

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
      const early = this.#early.get(request.id);
      this.#early.delete(request.id);
      if (early !== undefined && (early.hash ?? request.hash) === request.hash) {
        if (early.hash === undefined) {
          // Taken over before `recorded` was called (within the record's commit): the record is there.
          early.hash = request.hash;
          this.#commitEarly(request.id, early);
        }
        await this.#finishEarly(request, early, signal, onProgress);
      } else {
        if (early !== undefined) this.#stopEarly(request.id, early);
        await this.#multipart(request, signal, onProgress);
      }
    } catch (error) {
      if (error instanceof TransferError && RESTART_CODES.has(error.code)) {
        this.store.commit(events.uploadCleared({ id: request.id, at: Date.now() }));
        throw new TransferError(error.code, `${error.message}; the upload starts again`, error.status, true);
      }
      throw error;
    }
  }

  /**
   * Starts uploading a file that is still being saved, from the blob being saved, so that the save (the
   * copy to OPFS and the content hash, a second per 256 MiB here) and the upload overlap instead of taking
   * turns. Its parts go to a staging address, since the content hash that names the file is not known yet.
   * Only for files that go in parts, one at a time; `recorded` or `cancel` must follow.
   */
  begin(id: string, blob: Blob, type: string): void {
    if (blob.size <= this.options.threshold || this.#early.size > 0) return;
    const state: EarlyUploadState = {
      staging: newStaging(),
      partSize: partSizeFor(blob.size, this.options.minPartSize),
      blob,
      controller: new AbortController(),
      done: new Map(),
    };
    // The sending refers to the same object, which gains `hash` and `onProgress` as the save and the queue go on.
    const early: EarlyUpload = Object.assign(state, { sent: this.#sendEarly(id, state, type) });
    // A failure is the transfer queue's to report once it takes the upload over (and retries it as usual).
    early.sent.catch(() => {});
    this.#early.set(id, early);
  }

  async #sendEarly(id: string, early: EarlyUploadState, type: string): Promise<string> {
    const { blob } = early;
    const remoteKey = `${id}/${early.staging}`;
    const uploadId = await this.remote.startMultipart(remoteKey, blob.size, type, early.controller.signal);
    early.uploadId = uploadId;
    if (early.hash !== undefined) this.#commitEarly(id, early);
    const job: PartsJob = {
      remoteKey,
      uploadId,
      partSize: early.partSize,
      blob,
      done: early.done,
      // Before the record, the parts wait in `done` for `#commitEarly`.
      onPartsDone: (parts) => {
        if (early.hash !== undefined) this.store.commit(...partEvents(id, uploadId, parts));
      },
      onProgress: (loaded) => early.onProgress?.(loaded),
    };
    await this.#sendParts(job, early.controller.signal);
    return uploadId;
  }

  /** The file begun early is saved, with content hash `hash`, and its record committed. */
  recorded(id: string, hash: string): void {
    const early = this.#early.get(id);
    if (early === undefined) return;
    early.hash = hash;
    if (early.uploadId !== undefined) this.#commitEarly(id, early);
  }

  /**
   * Stops the uploads begun early whose file, recorded since, is not `wanted` any more (deleted on another
   * device before the transfer queue took the upload over): they would hold their blob and keep sending.
   */
  keepOnly(wanted: (id: string) => boolean): void {
    for (const [id, early] of this.#early) if (early.hash !== undefined && !wanted(id)) this.cancel(id);
  }

  /** The file begun early could not be saved, or is deleted before its upload is taken over: the upload stops and is aborted. */
  cancel(id: string): void {
    const early = this.#early.get(id);
    if (early === undefined) return;
    this.#early.delete(id);
    this.#stopEarly(id, early);
  }

  #stopEarly(id: string, early: EarlyUpload): void {
    early.controller.abort(new DOMException('The upload begun with the save is not wanted', 'AbortError'));
    void early.sent.finally(async () => {
      if (early.uploadId !== undefined) await this.remote.abortMultipart(`${id}/${early.staging}`, early.uploadId).catch(() => {});
    }).catch(() => {});
  }

  /** The early upload's state, and the parts sent before its file was recorded, so a reload resumes it. */
  #commitEarly(id: string, early: EarlyUploadState): void {
    const { uploadId, hash, partSize, staging } = early;
    if (uploadId === undefined || hash === undefined) return;
    this.store.commit(
      events.uploadStarted({ id, hash, uploadId, partSize, staging, at: Date.now() }),
      ...partEvents(id, uploadId, [...early.done].map(([partNumber, etag]) => ({ partNumber, etag }))),
    );
  }

  async #finishEarly(request: UploadRequest, early: EarlyUpload, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    const onAbort = () => early.controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    let uploadId: string;
    try {
      early.onProgress = onProgress;
      onProgress([...early.done.keys()].reduce((sum, n) => sum + partLength(early.blob.size, early.partSize, n), 0));
      uploadId = await early.sent;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    await this.#complete(request, `${request.id}/${early.staging}`, uploadId, early.done, signal);
  }

  /** Aborts the multipart upload a file has in progress, if any (the file was deleted or replaced). */
  async abandon(id: string, signal?: AbortSignal): Promise<void> {
    this.cancel(id);
    const state = this.#state(id);
    if (state === undefined) return;
    await this.remote.abortMultipart(`${id}/${state.staging ?? state.hash}`, state.uploadId, signal);
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
    const { id, hash, blob } = request;
    let state = this.#state(id);
    if (state !== undefined && state.hash !== hash) {
      // Bytes replaced since this upload began: its parts are of other content.
      await this.abandon(id, signal).catch(() => {});
      state = undefined;
    }
    if (state === undefined) {
      const partSize = partSizeFor(blob.size, this.options.minPartSize);
      const staging = newStaging();
      const uploadId = await this.remote.startMultipart(`${id}/${staging}`, blob.size, request.type, signal);
      this.store.commit(events.uploadStarted({ id, hash, uploadId, partSize, staging, at: Date.now() }));
      state = { uploadId, hash, partSize, staging };
    }
    const { uploadId, partSize } = state;
    const remoteKey = `${id}/${state.staging ?? hash}`;
    const count = partCount(blob.size, partSize);
    const done = new Map<number, string>();
    for (const part of this.store.query(queryDb(uploadPartsTable.where({ fileId: id }), { label: `lsfs-parts-${id}`, deps: [id] }))) {
      if (part.uploadId === uploadId && part.partNumber <= count) done.set(part.partNumber, part.etag);
    }
    const onPartsDone = (parts: readonly PartAck[]) => this.store.commit(...partEvents(id, uploadId, parts));
    await this.#sendParts({ remoteKey, uploadId, partSize, blob, done, onPartsDone, onProgress }, signal);
    await this.#complete(request, remoteKey, uploadId, done, signal);
  }

  async #sendParts(job: PartsJob, signal: AbortSignal): Promise<void> {
    const { remoteKey, uploadId, partSize, blob, done } = job;
    const count = partCount(blob.size, partSize);
    let doneBytes = [...done.keys()].reduce((sum, n) => sum + partLength(blob.size, partSize, n), 0);
    const inFlight = new Map<number, number>();
    const report = () => job.onProgress(doneBytes + [...inFlight.values()].reduce((a, b) => a + b, 0));
    report();

    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
    // A commit the store refuses (it stopped) fails the parts; from the batcher's timer it would be thrown
    // where nothing catches it.
    let refused: { error: unknown } | undefined;
    const record = (parts: readonly PartAck[]) => {
      try {
        job.onPartsDone(parts);
      } catch (error) {
        refused ??= { error };
      }
    };
    const acks = new CommitBatcher<PartAck>(record, ACKS_INTERVAL_MS, ACKS_INTERVAL_MS, Number.POSITIVE_INFINITY);
    try {
      await pool(missing, this.options.concurrency, signal, async (n) => {
        const start = (n - 1) * partSize;
        const etag = await this.remote.uploadPart(remoteKey, uploadId, n, blob.slice(start, start + partLength(blob.size, partSize, n)), {
          signal,
          onProgress: (loaded) => {
            inFlight.set(n, loaded);
            report();
          },
        });
        done.set(n, etag);
        acks.add(String(n), { partNumber: n, etag });
        if (refused !== undefined) throw refused.error;
        inFlight.delete(n);
        doneBytes += partLength(blob.size, partSize, n);
        report();
      });
    } finally {
      // Sent or failed, the parts acknowledged are recorded now, so that the next attempt skips them. An abort
      // (the file deleted, the store closing, another tab taking the transfers over) records nothing more.
      if (signal.aborted) acks.drop();
      else acks.flush();
    }
    if (refused !== undefined) throw refused.error;
  }

  /** Completes the upload, naming the content hash its parts must make, and forgets its state. */
  async #complete(request: UploadRequest, remoteKey: string, uploadId: string, done: ReadonlyMap<number, string>, signal: AbortSignal): Promise<void> {
    const parts = [...done].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
    await this.remote.completeMultipart(remoteKey, uploadId, parts, request.hash, signal);
    this.store.commit(events.uploadCleared({ id: request.id, at: Date.now() }));
  }
}

const partEvents = (id: string, uploadId: string, parts: readonly PartAck[]) =>
  parts.map(({ partNumber, etag }) => events.uploadPartDone({ id, uploadId, partNumber, etag }));

const partCount = (size: number, partSize: number): number => Math.max(1, Math.ceil(size / partSize));

/** The length of part `n` (from 1) of a file of `size` bytes. */
const partLength = (size: number, partSize: number, n: number): number => Math.min(size, n * partSize) - (n - 1) * partSize;

/**
 * Runs `task` over `items`, `limit` at a time. After a failure no new item starts, but those under way finish:
 * a part the server may already be answering is not thrown away to be sent again. Then the first failure is
 * thrown. Only `signal` (the caller giving up) stops items under way.
 */
async function pool<T>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  signal.throwIfAborted();
  if (failure !== undefined) throw failure.error;
}
