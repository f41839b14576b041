/**
 * The transfer work of the one tab per browser profile that leads a store: it plans from the records what
 * this device owes (uploads, downloads, removals), runs the plan through the transfer queue, commits what
 * each transfer confirms, keeps the local copies within the cache budget and, when requests get no answer,
 * holds the queue and probes the backend until it answers again.
 */
import { queryDb } from '@livestore/livestore';
import type { CommitBatcher } from './commit-batcher.js';
import type { DownloadTarget } from './download-protocol.js';
import { FileSyncError, TransferError } from '../errors.js';
import type { FileStorage } from '../storage/file-storage.js';
import { pickEvictions, planWork, workKey, type VersionIndex, type Work, type WorkKey } from './reconcile.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';
import { fileSyncEvents as events, fileVersionsTable, type FileLocalStateRow, type FileRow, type FileVersionRow } from '../store/schema.js';
import type { TransferActivity, TransferFailure } from '../views/state.js';
import type { FileSyncStore } from '../store/store.js';
import { TransferQueue, type Job, type RetryPolicy } from './transfer-queue.js';
import type { Uploader } from './uploader.js';
import { remoteKeyOf } from '../wire.js';

/** What a transfer confirms, committed in batches (see CommitBatcher). */
export type ConfirmationEvent = ReturnType<typeof events.fileUploaded | typeof events.localCopyStored | typeof events.imageMetaSet>;

/** A confirmation's key: a transfer's, or an image description's (see images/image-describer.ts). */
export type ConfirmationKey = WorkKey | `describe:${string}`;

/** A job of the queue, with the work it does. */
interface TransferJob extends Job {
  readonly key: WorkKey;
  readonly work: Work;
}

/** What the leader reads from and tells the FileSync it works for. */
export interface TransfersHost {
  readonly store: FileSyncStore;
  readonly local: FileStorage;
  readonly remote: RemoteFileStorage;
  readonly uploader: Uploader;
  readonly confirmations: CommitBatcher<ConfirmationEvent, ConfirmationKey>;
  /** Every record, deleted ones too, as last read. */
  records(): readonly FileRow[];
  locals(): ReadonlyMap<string, FileLocalStateRow>;
  cacheBudget(): number | undefined;
  online(): boolean;
  setActivity(id: string, activity: TransferActivity | undefined): void;
  /** Fetches a file's bytes into a verified local copy (in a worker where there is one; see download-job.ts). */
  download(target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void>;
  /** The backend stopped answering, or answers again. */
  reachabilityChanged(): void;
}

export interface TransfersOptions {
  readonly concurrency?: { readonly upload?: number; readonly download?: number };
  readonly retry?: Partial<RetryPolicy>;
}

export class Transfers {
  readonly #queue: TransferQueue<TransferJob>;
  /** The file of each confirmation added and not committed yet. */
  readonly #confirming = new Map<ConfirmationKey, string>();
  /** Requests failed with no answer: the queue holds while the backend is probed until it answers. */
  #backendDown = false;
  #evicting = false;
  #stopped = false;

  constructor(
    private readonly host: TransfersHost,
    options: TransfersOptions = {},
  ) {
    this.#queue = new TransferQueue<TransferJob>({
      concurrency: { upload: options.concurrency?.upload ?? 2, download: options.concurrency?.download ?? 3 },
      ...(options.retry ? { retry: options.retry } : {}),
      canStart: () => host.online() && !this.#backendDown,
      onRetryScheduled: (job, attempt, retryAt, error) => {
        const direction = job.lane === 'download' ? 'download' : 'upload';
        const message = error instanceof Error ? error.message : String(error);
        if (job.lane !== 'delete') host.setActivity(job.work.id, { kind: 'waiting-retry', direction, attempt, retryAt, message });
      },
      onFailure: (job, error) => this.#recordFailure(job, error),
      onNetworkError: () => this.#probeBackend(),
      // A transfer done but not committed yet keeps showing its progress until the store says it is done.
      onSettled: (job) => {
        if (!host.confirmations.has(job.key)) host.setActivity(job.work.id, undefined);
      },
    });
  }

  get backendReachable(): boolean {
    return !this.#backendDown;
  }

  /** Rebuilds the plan from the records and local rows as they are now, and runs it. */
  reconcile(): void {
    if (this.#stopped) return;
    const records = this.host.records();
    const locals = this.host.locals();
    // Work done but not committed yet is not planned again.
    const plan = planWork(records, locals, this.#heldVersions(records, locals)).filter((work) => !this.host.confirmations.has(workKey(work)));
    this.#queue.sync(plan.map((work) => this.#jobFor(work)));
    void this.#keepWithinBudget(records);
  }

  /** An upload or download of this file is queued, running, waiting for a retry, or done but not committed. */
  inTransfer(id: string): boolean {
    const busy = (key: WorkKey) => this.#queue.has(key) || this.host.confirmations.has(key);
    return busy(workKey({ kind: 'upload', id })) || busy(workKey({ kind: 'download', id }));
  }

  /**
   * Confirmations with these keys were committed. A finished transfer kept showing its progress until then
   * (see onSettled); now the store says it is done. Other keys (an image description) are not transfers.
   */
  committed(keys: readonly ConfirmationKey[]): void {
    for (const key of keys) {
      const id = this.#confirming.get(key);
      if (id === undefined) continue;
      this.#confirming.delete(key);
      if (!this.#queue.has(key)) this.host.setActivity(id, undefined);
    }
  }

  prioritizeDownload(id: string): void {
    this.#queue.prioritize(workKey({ kind: 'download', id }));
  }

  /** Runs waiting transfers now; `unansweredOnly` (the network came back) leaves those a server asked to wait. */
  retryNow(options?: { unansweredOnly?: boolean }): void {
    this.#queue.retryNow(options);
  }

  /** The sync socket connected: the backend answers. */
  backendAnswered(): void {
    this.#backendDown = false;
    this.#queue.retryNow({ unansweredOnly: true });
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.stop();
  }

  /**
   * The versions of the bytes this device holds where they are not the record's current content (a lost
   * concurrent edit, an older version): the only ones reconciliation asks about. Read when needed rather
   * than watched, since every write to the versions table also writes the files table, which is watched.
   */
  #heldVersions(records: readonly FileRow[], locals: ReadonlyMap<string, FileLocalStateRow>): VersionIndex {
    const held = new Map<string, FileVersionRow>();
    for (const record of records) {
      const localHash = locals.get(record.id)?.localHash;
      if (localHash == null || localHash === record.hash) continue;
      const key = `${record.id}:${localHash}`;
      const row = this.host.store.query(queryDb(fileVersionsTable.where({ key }).first(), { label: `lsfs-version-${key}`, deps: [key] }));
      if (row) held.set(key, row);
    }
    return held;
  }

  /** Removes the least recently used local copies that are safe remotely until the budget is met. */
  async #keepWithinBudget(records: readonly FileRow[]): Promise<void> {
    const budget = this.host.cacheBudget();
    if (budget === undefined || this.#evicting) return;
    const evict = pickEvictions(records, this.host.locals(), budget, (id) => this.inTransfer(id));
    if (evict.length === 0) return;
    this.#evicting = true;
    const pickedAt = Date.now();
    try {
      for (const id of evict) {
        if (this.#stopped) return;
        // Shown or asked for since it was picked (a tab scrolled to it): it stays.
        if ((this.host.locals().get(id)?.usedAt ?? 0) >= pickedAt) continue;
        await this.host.local.remove(id);
        this.host.store.commit(events.localCopyEvicted({ id, at: Date.now() }));
      }
    } catch (error) {
      console.warn('[ls-file-sync] could not keep within the cache budget', error);
    } finally {
      this.#evicting = false;
    }
  }

  #jobFor(work: Work): TransferJob {
    const key = workKey(work);
    const { store, local, remote, uploader } = this.host;
    switch (work.kind) {
      case 'upload':
        return { key, work, lane: 'upload', run: (signal) => this.#upload(work, signal) };
      case 'download':
        return { key, work, lane: 'download', run: (signal) => this.#download(work, signal) };
      case 'remove-local':
        return {
          key,
          work,
          lane: 'delete',
          run: async () => {
            await local.remove(work.id);
            store.commit(events.localCopyRemoved({ id: work.id, at: Date.now() }));
          },
        };
      case 'delete-remote':
        return {
          key,
          work,
          lane: 'delete',
          run: async (signal) => {
            await uploader.abandon(work.id, signal);
            await remote.delete(work.remoteKey, { signal });
            store.commit(events.remoteDeleteDone({ id: work.id, at: Date.now() }));
          },
        };
    }
  }

  async #upload(work: Extract<Work, { kind: 'upload' }>, signal: AbortSignal): Promise<void> {
    const { host } = this;
    const blob = await host.local.read(work.id);
    if (blob === undefined) {
      // The bytes this device recorded are gone (storage cleared by the user or the browser).
      host.store.commit(events.localCopyRemoved({ id: work.id, at: Date.now() }));
      return;
    }
    const remoteKey = remoteKeyOf(work.id, work.hash);
    const progress = (loaded: number) => host.setActivity(work.id, { kind: 'transferring', direction: 'upload', loaded, total: work.size });
    progress(0);
    await host.uploader.upload({ id: work.id, hash: work.hash, type: work.type, remoteKey, blob }, signal, progress);
    this.#answered();
    this.#confirm(work, events.fileUploaded({ id: work.id, hash: work.hash, remoteKey, uploadedAt: Date.now() }));
  }

  async #download(work: Extract<Work, { kind: 'download' }>, signal: AbortSignal): Promise<void> {
    const { host } = this;
    const progress = (loaded: number) => host.setActivity(work.id, { kind: 'transferring', direction: 'download', loaded, total: work.size });
    progress(0);
    await host.download({ id: work.id, remoteKey: work.remoteKey, size: work.size, hash: work.hash }, signal, progress);
    this.#answered();
    this.#confirm(work, events.localCopyStored({ id: work.id, hash: work.hash, at: Date.now() }));
  }

  #confirm(work: Work, event: ConfirmationEvent): void {
    const key = workKey(work);
    this.#confirming.set(key, work.id);
    this.host.confirmations.add(key, event);
  }

  #recordFailure(job: TransferJob, error: unknown): void {
    if (job.lane === 'delete') {
      // Deletion is retried until done; a refusal (a revoked token) waits for the next change or retry().
      console.warn(`[ls-file-sync] ${job.key} failed`, error);
      return;
    }
    const failure: TransferFailure = {
      direction: job.lane,
      code: error instanceof FileSyncError ? error.code : 'unknown',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof TransferError ? { status: error.status } : {}),
    };
    this.host.store.commit(events.transferFailed({ id: job.work.id, failure: JSON.stringify(failure), at: Date.now() }));
  }

  /** A transfer went through: whatever the probe thought, the backend answers. */
  #answered(): void {
    this.#backendDown = false;
  }

  /** Requests get no answer: hold the queue and ask the backend, with backoff, until it answers. */
  #probeBackend(): void {
    if (this.#backendDown || this.#stopped) return;
    this.#backendDown = true;
    this.host.reachabilityChanged();
    let delay = 500;
    const probe = async () => {
      if (this.#stopped || !this.#backendDown) return;
      if (await this.host.remote.reachable()) {
        this.#backendDown = false;
        this.host.reachabilityChanged();
        this.#queue.retryNow({ unansweredOnly: true });
        return;
      }
      delay = Math.min(delay * 2, 15_000);
      setTimeout(probe, delay);
    };
    setTimeout(probe, delay);
  }
}

