/**
 * The file-sync core: save a file to this device at once, then let the leader tab upload it, download what
 * other devices added, and carry deletions both ways. Framework-free; the elements are one client of it.
 */
import { queryDb, type Adapter } from '@livestore/livestore';
import { Effect, Fiber, Stream } from 'effect';
import { openResumableDownload } from './downloader.js';
import { FileSyncError, TransferError } from './errors.js';
import { imageMeta } from './image-meta.js';
import { claimLeadership, type Leadership } from './leader.js';
import { LocalFileStorage } from './local-storage.js';
import { Observable, type ReadonlyObservable } from './observable.js';
import { planWork, remoteKeyOf, workKey, type VersionIndex, type Work } from './reconcile.js';
import { RemoteFileStorage } from './remote-storage.js';
import {
  fileSyncEvents as events,
  fileLocalStateTable,
  filesTable,
  fileVersionsTable,
  type FileLocalStateRow,
  type FileRow,
  type FileVersionRow,
} from './schema.js';
import { toView, type FileView, type TransferActivity, type TransferFailure } from './state.js';
import { openStore, type FileSyncStore } from './store.js';
import { provideToken, type TokenProvider } from './token-relay.js';
import { TransferQueue, type Job, type RetryPolicy } from './transfer-queue.js';
import { DEFAULT_MULTIPART, Uploader, type MultipartOptions } from './uploader.js';

export interface FileSyncOptions {
  /** The backend's origin, e.g. `https://files.example.com`. */
  readonly endpoint: string;
  readonly storeId: string;
  /** An access token for this store, from the app's own backend. */
  readonly token: string;
  /** Replaces the persisted OPFS store (for example an in-memory adapter in tests and stories). */
  readonly adapter?: Adapter;
  /**
   * The OPFS directory that holds the bytes (default `ls-file-sync`). Two instances of one store on one
   * origin that must act as separate devices (tests, demos) need different ones.
   */
  readonly localDirectory?: string;
  readonly concurrency?: { readonly upload?: number; readonly download?: number };
  /** When files go up in parts, and how (defaults: over 32 MiB, parts of 8 MiB or more, 3 at a time per file). */
  readonly multipart?: Partial<MultipartOptions>;
  readonly retry?: Partial<RetryPolicy>;
  /** A transfer that moves no byte for this long is dropped and retried (default 30 s). */
  readonly idleTimeoutMs?: number;
}

export type SyncStatus = 'synced' | 'syncing' | 'offline' | 'error';

export interface SyncSummary {
  readonly status: SyncStatus;
  /** The browser believes it has a network. */
  readonly online: boolean;
  /** The backend answers (LiveStore's sync connection is up and file requests get answers). */
  readonly backendReachable: boolean;
  readonly pendingUploads: number;
  readonly pendingDownloads: number;
  /** Files that failed for a reason retrying cannot fix, until `retry()`. */
  readonly failed: number;
  /** Bytes moved and to move by the transfers in progress. */
  readonly bytesLoaded: number;
  readonly bytesTotal: number;
}

export interface SaveOptions {
  /** Defaults to the File's name, or "file". */
  readonly name?: string;
  /** Defaults to the Blob's type. */
  readonly type?: string;
}

type ChannelMessage =
  | { readonly type: 'activity'; readonly activity: readonly (readonly [string, TransferActivity])[]; readonly backendReachable: boolean }
  | { readonly type: 'hello' }
  | { readonly type: 'prioritize'; readonly id: string }
  | { readonly type: 'retry-now' };

const MAX_NAME_LENGTH = 1024;
const ACTIVITY_THROTTLE_MS = 100;

const liveFiles$ = queryDb(filesTable.where({ deletedAt: null }).orderBy('createdAt', 'desc'), { label: 'lsfs-live-files' });
const allFiles$ = queryDb(filesTable, { label: 'lsfs-all-files' });
const localRows$ = queryDb(fileLocalStateTable, { label: 'lsfs-local-rows' });
const versions$ = queryDb(fileVersionsTable, { label: 'lsfs-versions' });


export class FileSync {
  readonly storeId: string;
  readonly endpoint: string;
  readonly local: LocalFileStorage;
  readonly remote: RemoteFileStorage;
  readonly #uploader: Uploader;
  readonly #files = new Observable<readonly FileView[]>([]);
  readonly #summary: Observable<SyncSummary>;
  readonly #isLeader = new Observable(false);
  readonly #activity = new Map<string, TransferActivity>();
  #viewsById = new Map<string, FileView>();
  readonly #fileWatchers = new Map<string, Set<(view: FileView | undefined) => void>>();
  readonly #cleanups: (() => void)[] = [];
  readonly #channel: BroadcastChannel | undefined;
  readonly #leadership: Leadership;
  #queue: TransferQueue | undefined;
  #token: string;
  #online = typeof navigator === 'undefined' ? true : navigator.onLine;
  #socketConnected = false;
  /** The leader saw requests fail with no answer and is probing the backend until it answers again. */
  #backendDown = false;
  #closed = false;
  #activityTimer: ReturnType<typeof setTimeout> | undefined;
  #records: readonly FileRow[] = [];
  #locals = new Map<string, FileLocalStateRow>();
  #versions: VersionIndex = new Map();

  private constructor(
    readonly store: FileSyncStore,
    options: FileSyncOptions,
    private readonly tokens: TokenProvider,
  ) {
    this.storeId = options.storeId;
    this.endpoint = options.endpoint;
    this.#token = options.token;
    this.local = new LocalFileStorage(options.storeId, options.localDirectory);
    this.remote = new RemoteFileStorage({
      endpoint: options.endpoint,
      storeId: options.storeId,
      token: () => this.#token,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
    this.#uploader = new Uploader(store, this.remote, { ...DEFAULT_MULTIPART, ...options.multipart });
    this.#summary = new Observable<SyncSummary>(this.#computeSummary(), sameSummary);
    this.#channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`lsfs:${this.local.root}:${options.storeId}`);
    this.#leadership = claimLeadership(`lsfs:transfers:${this.local.root}:${options.storeId}`);
    this.#watchStore();
    this.#watchNetwork();
    this.#watchChannel();
    void this.#leadership.acquired.then(() => this.#lead(options));
  }

  /** Opens (or creates) the store on this device and starts syncing it. */
  static async open(options: FileSyncOptions): Promise<FileSync> {
    // Ask the browser not to evict this origin's storage under pressure: it holds bytes not uploaded yet.
    // (Chromium grants it silently to sites the user engages with; it is a request, never a prompt here.)
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
    // Ready before the store opens: its leader worker asks for the token as soon as it starts.
    const tokens = provideToken(options.storeId, options.token);
    try {
      const store = await openStore(options);
      return new FileSync(store, options, tokens);
    } catch (error) {
      tokens.close();
      throw error;
    }
  }

  /** Every live file, newest first, with its sync state on this device. */
  get files(): ReadonlyObservable<readonly FileView[]> {
    return this.#files;
  }

  get summary(): ReadonlyObservable<SyncSummary> {
    return this.#summary;
  }

  /** Whether this tab runs the transfers of this store (one tab per browser profile does). */
  get isLeader(): ReadonlyObservable<boolean> {
    return this.#isLeader;
  }

  /**
   * Calls `listener` now and whenever this one file's record or state changes (undefined: unknown or
   * deleted). Cheaper than watching `files` for an element that shows one file.
   */
  watchFile(id: string, listener: (view: FileView | undefined) => void): () => void {
    let watchers = this.#fileWatchers.get(id);
    if (!watchers) this.#fileWatchers.set(id, (watchers = new Set()));
    watchers.add(listener);
    listener(this.#viewsById.get(id));
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0) this.#fileWatchers.delete(id);
    };
  }

  file(id: string): FileView | undefined {
    const record = this.store.query(queryDb(filesTable.where({ id }).first(), { label: `lsfs-file-${id}`, deps: [id] }));
    if (record === undefined || record.deletedAt !== null) return undefined;
    return toView(record, this.#locals.get(id), this.#shownActivity(id));
  }

  /**
   * Saves a file on this device and records it for every device. Resolves once the bytes are in OPFS and
   * the record is committed: the file can be shown at once, online or not. The upload follows in the background.
   */
  async saveFile(blob: Blob, options: SaveOptions = {}): Promise<FileView> {
    this.#assertOpen();
    const name = options.name ?? (blob instanceof File ? blob.name : '');
    const displayName = name === '' ? 'file' : name;
    if (displayName.length > MAX_NAME_LENGTH) {
      throw new FileSyncError('name_too_long', `The file name is longer than ${MAX_NAME_LENGTH} characters`);
    }
    const id = crypto.randomUUID();
    const { hash, size } = await this.local.writeBlob(id, blob);
    const now = Date.now();
    this.store.commit(
      events.fileCreated({ id, name: displayName, type: options.type ?? blob.type, size, hash, createdAt: now }),
      events.localCopyStored({ id, hash, at: now }),
    );
    const view = this.file(id);
    if (!view) throw new FileSyncError('internal', 'The saved file was not recorded');
    this.#describeImage(id, hash, blob);
    return view;
  }

  /**
   * Records an image's size and preview for other devices once the page is idle: decoding the image for it
   * would otherwise compete with showing that same image here.
   */
  #describeImage(id: string, hash: string, blob: Blob): void {
    if (!blob.type.startsWith('image/')) return;
    const describe = () =>
      void imageMeta(blob).then((meta) => {
        if (meta && !this.#closed) this.store.commit(events.imageMetaSet({ id, hash, ...meta }));
      });
    if (typeof requestIdleCallback === 'function') requestIdleCallback(describe, { timeout: 2000 });
    else setTimeout(describe, 0);
  }

  /**
   * Replaces a file's content (and optionally its name and type), keeping its id. The new bytes are saved
   * here first; the old version's bytes stay in remote storage. If another device replaces the same file
   * at the same time, the last writer wins the record and the other content is uploaded as a version.
   */
  async replaceFile(id: string, blob: Blob, options: SaveOptions = {}): Promise<FileView> {
    this.#assertOpen();
    const current = this.file(id);
    if (current === undefined) throw new FileSyncError('not_found', `No file with id ${id}`);
    const name = options.name ?? (blob instanceof File && blob.name !== '' ? blob.name : current.name);
    if (name.length > MAX_NAME_LENGTH) throw new FileSyncError('name_too_long', `The file name is longer than ${MAX_NAME_LENGTH} characters`);
    const { hash, size } = await this.local.writeBlob(id, blob);
    const now = Date.now();
    this.store.commit(
      events.fileReplaced({ id, name, type: options.type ?? (blob.type || current.type), size, hash, replacedAt: now }),
      events.localCopyStored({ id, hash, at: now }),
    );
    this.#describeImage(id, hash, blob);
    return this.file(id) as FileView;
  }

  /** Every content a file has had, newest first; `remoteKey` is set for those in remote storage. */
  versions(id: string): readonly FileVersionRow[] {
    return this.store.query(
      queryDb(fileVersionsTable.where({ fileId: id }).orderBy('createdAt', 'desc'), { label: `lsfs-versions-${id}`, deps: [id] }),
    );
  }

  /** Deletes a file everywhere: at once here, on other devices as they sync, remotely by the leader tab. */
  async deleteFile(id: string): Promise<void> {
    this.#assertOpen();
    const record = this.store.query(queryDb(filesTable.where({ id }).first(), { label: `lsfs-file-${id}`, deps: [id] }));
    if (record === undefined) throw new FileSyncError('not_found', `No file with id ${id}`);
    if (record.deletedAt !== null) return;
    const now = Date.now();
    this.store.commit(events.fileDeleted({ id, deletedAt: now }), events.remoteDeleteRequested({ id, at: now }));
  }

  /** The bytes of a file on this device, as a disk-backed File named as saved; undefined when not here (yet). */
  async getFile(id: string): Promise<File | undefined> {
    const view = this.file(id);
    if (!view?.local) return undefined;
    const file = await this.local.read(id);
    return file && new File([file], view.name, { type: view.type, lastModified: view.updatedAt });
  }

  /** Asks the leader tab to fetch this file before other background downloads (a file on screen, say). */
  requestDownload(id: string): void {
    if (this.#queue) this.#queue.prioritize(workKey({ kind: 'download', id }));
    else this.#post({ type: 'prioritize', id });
  }

  /** Clears a permanent failure (one file, or all) and tries again; transient ones are retried at once. */
  retry(id?: string): void {
    const now = Date.now();
    const failed = [...this.#locals.values()].filter((row) => row.failure !== null && (id === undefined || row.id === id));
    if (failed.length > 0) this.store.commit(...failed.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
    if (this.#queue) this.#queue.retryNow();
    else this.#post({ type: 'retry-now' });
  }

  /** Replaces the access token (when it expires, say) and retries what an auth failure stopped. */
  setToken(token: string): void {
    this.#token = token;
    this.tokens.set(token);
    const now = Date.now();
    const authFailures = [...this.#locals.values()].filter((row) => /"code":"(token_|wrong_store|scope_missing)/.test(row.failure ?? ''));
    if (authFailures.length > 0) this.store.commit(...authFailures.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
  }

  get token(): string {
    return this.#token;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue?.stop();
    clearTimeout(this.#activityTimer);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#channel?.close();
    this.tokens.close();
    this.#leadership.release();
    await this.store.shutdownPromise();
  }

  #assertOpen(): void {
    if (this.#closed) throw new FileSyncError('closed', 'This file sync has been closed');
  }

  #watchStore(): void {
    const refresh = () => {
      this.#publishViews();
      this.#reconcile();
    };
    this.#cleanups.push(
      this.store.subscribe(liveFiles$, (rows) => {
        this.#records = rows;
        refresh();
      }),
      this.store.subscribe(localRows$, (rows) => {
        this.#locals = new Map(rows.map((row) => [row.id, row]));
        refresh();
      }),
      this.store.subscribe(versions$, (rows) => {
        this.#versions = new Map(rows.map((row) => [row.key, row]));
        this.#reconcile();
      }),
    );
  }

  #watchNetwork(): void {
    if (typeof addEventListener === 'function') {
      const update = () => {
        this.#online = navigator.onLine;
        this.#publishViews();
        if (this.#online) this.#queue?.retryNow({ unansweredOnly: true });
      };
      addEventListener('online', update);
      addEventListener('offline', update);
      this.#cleanups.push(() => {
        removeEventListener('online', update);
        removeEventListener('offline', update);
      });
    }
    const fiber = Effect.runFork(
      this.store.networkStatus.changes.pipe(
        Stream.runForEach((status) =>
          Effect.sync(() => {
            const wasConnected = this.#socketConnected;
            this.#socketConnected = status.isConnected;
            if (status.isConnected && !wasConnected) {
              this.#backendDown = false;
              this.#queue?.retryNow({ unansweredOnly: true });
            }
            this.#publishSummary();
          }),
        ),
      ),
    );
    this.#cleanups.push(() => void Effect.runFork(Fiber.interrupt(fiber)));
  }

  #watchChannel(): void {
    const channel = this.#channel;
    if (!channel) return;
    channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
      const message = event.data;
      switch (message.type) {
        case 'activity':
          if (this.#queue) return; // a leader trusts its own queue
          this.#activity.clear();
          for (const [id, activity] of message.activity) this.#activity.set(id, activity);
          this.#backendDown = !message.backendReachable;
          this.#publishViews();
          return;
        case 'hello':
          if (this.#queue) this.#broadcastActivity();
          return;
        case 'prioritize':
          this.#queue?.prioritize(workKey({ kind: 'download', id: message.id }));
          return;
        case 'retry-now':
          this.#queue?.retryNow();
          return;
      }
    };
    this.#post({ type: 'hello' });
  }

  #post(message: ChannelMessage): void {
    if (!this.#closed) this.#channel?.postMessage(message);
  }

  /** Runs in the tab that holds the lock: owns the transfer queue until the tab closes. */
  #lead(options: FileSyncOptions): void {
    if (this.#closed) return;
    this.#isLeader.set(true);
    this.#queue = new TransferQueue({
      concurrency: { upload: options.concurrency?.upload ?? 2, download: options.concurrency?.download ?? 3 },
      ...(options.retry ? { retry: options.retry } : {}),
      canStart: () => this.#online && !this.#backendDown,
      onRetryScheduled: (job, attempt, retryAt, error) => {
        const direction = job.lane === 'download' ? 'download' : 'upload';
        const message = error instanceof Error ? error.message : String(error);
        if (job.lane !== 'delete') this.#setActivity(idOfKey(job.key), { kind: 'waiting-retry', direction, attempt, retryAt, message });
      },
      onFailure: (job, error) => this.#recordFailure(job, error),
      onNetworkError: () => this.#probeBackend(),
      onSettled: (job) => this.#setActivity(idOfKey(job.key), undefined),
    });
    this.#reconcile();
    this.#publishSummary();
  }

  #reconcile(): void {
    const queue = this.#queue;
    if (!queue || this.#closed) return;
    const records = this.store.query(allFiles$);
    const plan = planWork(records, this.#locals, this.#versions);
    queue.sync(plan.map((work) => this.#jobFor(work)));
    // Activity of jobs that left the plan (a file deleted mid-upload) is stale.
    for (const id of this.#activity.keys()) {
      if (!queue.has(`upload:${id}`) && !queue.has(`download:${id}`)) this.#setActivity(id, undefined);
    }
  }

  #jobFor(work: Work): Job {
    const key = workKey(work);
    switch (work.kind) {
      case 'upload':
        return { key, lane: 'upload', run: (signal) => this.#upload(work, signal) };
      case 'download':
        return { key, lane: 'download', run: (signal) => this.#download(work, signal) };
      case 'remove-local':
        return {
          key,
          lane: 'delete',
          run: async () => {
            await this.local.remove(work.id);
            this.store.commit(events.localCopyRemoved({ id: work.id, at: Date.now() }));
          },
        };
      case 'delete-remote':
        return {
          key,
          lane: 'delete',
          run: async (signal) => {
            await this.#uploader.abandon(work.id, signal);
            await this.remote.delete(work.remoteKey, { signal });
            this.store.commit(events.remoteDeleteDone({ id: work.id, at: Date.now() }));
          },
        };
    }
  }

  async #upload(work: Extract<Work, { kind: 'upload' }>, signal: AbortSignal): Promise<void> {
    const blob = await this.local.read(work.id);
    if (blob === undefined) {
      // The bytes this device recorded are gone (storage cleared by the user or the browser).
      this.store.commit(events.localCopyRemoved({ id: work.id, at: Date.now() }));
      return;
    }
    const remoteKey = remoteKeyOf(work.id, work.hash);
    this.#setActivity(work.id, { kind: 'transferring', direction: 'upload', loaded: 0, total: work.size });
    await this.#uploader.upload({ id: work.id, hash: work.hash, type: work.type, remoteKey, blob }, signal, (loaded) =>
      this.#setActivity(work.id, { kind: 'transferring', direction: 'upload', loaded, total: work.size }),
    );
    this.#backendDown = false;
    this.store.commit(events.fileUploaded({ id: work.id, hash: work.hash, remoteKey, uploadedAt: Date.now() }));
  }

  async #download(work: Extract<Work, { kind: 'download' }>, signal: AbortSignal): Promise<void> {
    this.#setActivity(work.id, { kind: 'transferring', direction: 'download', loaded: 0, total: work.size });
    const body = await openResumableDownload(this.remote, work.remoteKey, work.size, signal);
    try {
      await this.local.write(work.id, body, {
        expectedHash: work.hash,
        signal,
        onProgress: (loaded) => this.#setActivity(work.id, { kind: 'transferring', direction: 'download', loaded, total: work.size }),
      });
    } catch (error) {
      // Corrupted in transit: discarded (the write was never committed); fetch it again.
      if (error instanceof FileSyncError && error.code === 'hash_mismatch') throw new TransferError('hash_mismatch', error.message, 200, true);
      throw error;
    }
    this.#backendDown = false;
    this.store.commit(events.localCopyStored({ id: work.id, hash: work.hash, at: Date.now() }));
  }

  #recordFailure(job: Job, error: unknown): void {
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
    this.store.commit(events.transferFailed({ id: idOfKey(job.key), failure: JSON.stringify(failure), at: Date.now() }));
  }

  /** Requests get no answer: hold the queue and ask the backend, with backoff, until it answers. */
  #probeBackend(): void {
    if (this.#backendDown || this.#closed) return;
    this.#backendDown = true;
    this.#publishViews();
    this.#broadcastActivity();
    let delay = 500;
    const probe = async () => {
      if (this.#closed || !this.#backendDown) return;
      if (await this.remote.reachable()) {
        this.#backendDown = false;
        this.#publishViews();
        this.#queue?.retryNow({ unansweredOnly: true });
        this.#broadcastActivity();
        return;
      }
      delay = Math.min(delay * 2, 15_000);
      setTimeout(probe, delay);
    };
    setTimeout(probe, delay);
  }

  /**
   * A retry timer means nothing while the network or the backend is gone: the queue holds until they are
   * back. Meanwhile a file reads as what it is (saved here, or in the cloud), not as "waiting to retry".
   */
  #shownActivity(id: string): TransferActivity | undefined {
    const activity = this.#activity.get(id);
    return activity?.kind === 'waiting-retry' && (!this.#online || this.#backendDown) ? undefined : activity;
  }

  #setActivity(id: string, activity: TransferActivity | undefined): void {
    if (this.#closed) return;
    if (activity === undefined) {
      if (!this.#activity.delete(id)) return;
    } else {
      this.#activity.set(id, activity);
    }
    // Progress arrives per chunk; views and other tabs hear of it at most every 100 ms.
    this.#activityTimer ??= setTimeout(() => {
      this.#activityTimer = undefined;
      this.#publishViews();
      this.#broadcastActivity();
    }, ACTIVITY_THROTTLE_MS);
  }

  #broadcastActivity(): void {
    this.#post({ type: 'activity', activity: [...this.#activity], backendReachable: !this.#backendDown });
  }

  #publishViews(): void {
    const previous = this.#viewsById;
    const views = this.#records.map((record) => {
      const view = toView(record, this.#locals.get(record.id), this.#shownActivity(record.id));
      const before = previous.get(record.id);
      // Keep the old object when nothing changed, so watchers and renderers can compare by identity.
      return before !== undefined && sameView(before, view) ? before : view;
    });
    this.#viewsById = new Map(views.map((view) => [view.id, view]));
    const changed = views.length !== this.#files.get().length || views.some((view, i) => view !== this.#files.get()[i]);
    if (changed) this.#files.set(views);
    for (const [id, watchers] of this.#fileWatchers) {
      const view = this.#viewsById.get(id);
      if (view === previous.get(id)) continue;
      for (const watcher of [...watchers]) watcher(view);
    }
    this.#publishSummary();
  }

  #publishSummary(): void {
    this.#summary.set(this.#computeSummary());
  }

  #computeSummary(): SyncSummary {
    let pendingUploads = 0;
    let pendingDownloads = 0;
    let failed = 0;
    let bytesLoaded = 0;
    let bytesTotal = 0;
    for (const view of this.#files.get()) {
      switch (view.state.kind) {
        case 'local':
          pendingUploads++;
          break;
        case 'remote':
          pendingDownloads++;
          break;
        case 'uploading':
        case 'downloading':
          if (view.state.kind === 'uploading') pendingUploads++;
          else pendingDownloads++;
          bytesLoaded += view.state.loaded;
          bytesTotal += view.state.total;
          break;
        case 'retrying':
          if (view.state.direction === 'upload') pendingUploads++;
          else pendingDownloads++;
          break;
        case 'failed':
          failed++;
          break;
        case 'synced':
        case 'pending-remote':
          break;
      }
    }
    const backendReachable = this.#socketConnected && !this.#backendDown;
    const status: SyncStatus =
      failed > 0 ? 'error' : !this.#online || !backendReachable ? 'offline' : pendingUploads + pendingDownloads > 0 ? 'syncing' : 'synced';
    return { status, online: this.#online, backendReachable, pendingUploads, pendingDownloads, failed, bytesLoaded, bytesTotal };
  }
}

function sameView(a: FileView, b: FileView): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.hash === b.hash &&
    a.local === b.local &&
    a.remoteKey === b.remoteKey &&
    a.updatedAt === b.updatedAt &&
    a.preview === b.preview &&
    a.width === b.width &&
    JSON.stringify(a.state) === JSON.stringify(b.state)
  );
}

const idOfKey = (key: string): string => key.slice(key.indexOf(':') + 1);

function sameSummary(a: SyncSummary, b: SyncSummary): boolean {
  return (Object.keys(a) as (keyof SyncSummary)[]).every((key) => a[key] === b[key]);
}
