/**
 * The file-sync core: save a file to this device at once, then let the leader tab upload it, download what
 * other devices added, and carry deletions both ways. Framework-free; the elements are one client of it.
 */
import { queryDb, StoreInternalsSymbol } from '@livestore/livestore';
import { fileName, mediaType, saveFiles } from './commands/save-files.js';
import { FileSyncError, openFailure } from './errors.js';
import type { FileSyncOptions, SaveOptions, SaveRequest, SaveResult } from './file-sync-options.js';
import { Observable, type ReadonlyObservable } from './observable.js';
import type { FileStorage, StorageMode } from './storage/file-storage.js';
import { fileStorageOf, storageModeOf } from './storage/storage-mode.js';
import { RemoteFileStorage } from './storage/remote-storage.js';
import { fileSyncEvents as events, filesTable, fileVersionsTable, type FileVersionRow } from './store/schema.js';
import { openStore, type FileSyncStore } from './store/store.js';
import { provideToken, type TokenProvider } from './store/token-relay.js';
import { Connectivity } from './sync/connectivity.js';
import { RecordJournal } from './sync/record-journal.js';
import { UpstreamCheck } from './sync/upstream-check.js';
import { WorkerSaves, workerCanWrite } from './transfers/worker-saves.js';
import { kitAssetUrls } from './workers/assets.js';
import { TabRole } from './tabs/tab-role.js';
import { FileViews } from './views/file-views.js';
import { parseFailure, toView, type FileView } from './views/state.js';
import { StoreRows } from './views/store-rows.js';
import { SavesInProgress } from './views/saves-in-progress.js';
import { sameSummary, summarize, type SyncSummary } from './views/summary.js';
import { isAuthErrorCode } from './wire.js';

export type { SyncStatus, SyncSummary } from './views/summary.js';
export type { FileSyncOptions, SaveOptions, SaveRequest, SaveResult } from './file-sync-options.js';
export type { StorageMode } from './storage/file-storage.js';

const USE_RESOLUTION_MS = 60_000;
/** The cache budget of files kept in memory, unless the app sets one: the tab must not hold a whole store. */
const MEMORY_CACHE_BUDGET = 256 * 1024 * 1024;

export class FileSync {
  readonly storeId: string;
  readonly endpoint: string;
  readonly local: FileStorage;
  readonly remote: RemoteFileStorage;
  readonly #views = new FileViews();
  readonly #summary: Observable<SyncSummary>;
  /** Files this tab is saving: shown from their bytes until their records are committed. */
  readonly #saving = new SavesInProgress(() => this.#publishViews());
  readonly #cleanups: (() => void)[] = [];
  /** Whether this tab leads the store's transfers (one tab per browser profile does), and how they go. */
  readonly #tabs: TabRole;
  /** Whether the backend holds this device's records, asked of the backend itself (see sync/upstream-check.ts). */
  readonly #upstream: UpstreamCheck | undefined;
  /** Records of saves kept in OPFS until the backend holds them (see sync/record-journal.ts). */
  readonly #journal: RecordJournal;
  #token: string;
  readonly #connectivity: Connectivity;
  /** Why the store stopped syncing on this page, once it has (see `stopped`). */
  readonly #stopped = new Observable<string | undefined>(undefined);
  /** LiveStore shut the store down on its own (else closing shuts it down). */
  #shutDown = false;
  #closed = false;
  readonly #rows: StoreRows;
  /** Saves written by a worker, for a page that cannot write files itself; started when first needed. */
  #workerSaves: WorkerSaves | undefined;

  private constructor(
    readonly store: FileSyncStore,
    options: FileSyncOptions,
    private readonly tokens: TokenProvider,
    storage: StorageMode,
  ) {
    this.storeId = options.storeId;
    this.endpoint = options.endpoint;
    this.#token = options.token;
    this.local = fileStorageOf(storage, options, (job) => (this.#workerSaves ??= new WorkerSaves(kitAssetUrls().downloadWorker)).save(job));
    this.#journal = new RecordJournal(this.local.root, options.storeId, storage);
    // In memory, this tab is a device of its own (store/memory-adapter.ts): it leads its own transfers.
    const scope = `${this.local.root}:${options.storeId}${storage === 'memory' ? `:${crypto.randomUUID()}` : ''}`;
    this.remote = new RemoteFileStorage({
      endpoint: options.endpoint,
      storeId: options.storeId,
      token: () => this.#token,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
    this.#connectivity = new Connectivity(store);
    this.#tabs = new TabRole(
      {
        scope,
        cacheBudget: options.cacheBudget ?? (storage === 'memory' ? MEMORY_CACHE_BUDGET : undefined),
        online: () => this.#connectivity.online,
      },
      () => this.#publishViews(),
    );
    this.#upstream = options.endpoint
      ? new UpstreamCheck({
          store,
          endpoint: options.endpoint,
          storeId: options.storeId,
          token: () => this.#token,
          reconnect: () => tokens.reconnect(),
          ...(options.upstreamTiming ? { timing: options.upstreamTiming } : {}),
        })
      : undefined;
    this.#summary = new Observable<SyncSummary>(this.#computeSummary(), sameSummary);
    if (this.#upstream) {
      this.#cleanups.push(
        this.#upstream.state.subscribe((state) => {
          this.#publishSummary();
          if (state.kind === 'confirmed') this.#tabs.leading?.upstreamConfirmed(state.at);
          // This page's copy of the store lacks records the backend holds, and reconnecting did not bring them
          // for a minute, while everything of this device is upstream: LiveStore's session here has fallen
          // out of step with its leader (seen in the two-tab e2e test). A store opened again starts from the
          // leader's copy; nothing of this device is lost by it.
          if (state.kind === 'differs' && state.stalled && state.missingHere > 0 && state.missingUpstream === 0) {
            this.#storeStopped(`this page's copy lacked ${state.missingHere} of the backend's files for a minute`);
          }
        }),
      );
    }
    this.#rows = new StoreRows(store, (rowsChanged) => {
      if (rowsChanged) this.#publishViews();
      this.#tabs.reconcile();
    });
    this.#connectivity.watch({
      network: (online) => {
        this.#publishViews();
        if (online) this.#tabs.leading?.transfers.retryNow({ unansweredOnly: true });
      },
      socket: (_connected, cameUp) => {
        if (cameUp) this.#tabs.backendAnswered();
        this.#publishSummary();
      },
    });
    this.#tabs.claim(
      { store, local: this.local, remote: this.remote, rows: this.#rows, journal: this.#journal, isLive: (id) => this.#views.has(id) },
      // The download worker writes to OPFS: files kept in memory are downloaded in the page.
      { ...options, downloadWorker: options.downloadWorker !== false && storage === 'device' },
    );
  }

  /** Opens (or creates) the store on this device and starts syncing it. */
  static async open(options: FileSyncOptions): Promise<FileSync> {
    // Ask the browser not to evict this origin's storage under pressure: it holds bytes not uploaded yet.
    // (Chromium grants it silently to sites the user engages with; it is a request, never a prompt here.)
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
    // Ready before the store opens: its leader worker asks for the token as soon as it starts.
    const tokens = provideToken(options.storeId, options.token);
    try {
      const storage = await storageModeOf(options, () => workerCanWrite(kitAssetUrls().downloadWorker));
      const adapter = options.adapter ?? (storage === 'memory' ? (await import('./store/memory-adapter.js')).memoryAdapter(options.endpoint || undefined) : undefined);
      const { store, stopped } = await openStore({ ...options, ...(adapter ? { adapter } : {}) });
      const sync = new FileSync(store, options, tokens, storage);
      void stopped.then((reason) => {
        sync.#shutDown = true;
        sync.#storeStopped(`LiveStore stopped it: ${reason}`);
      });
      return sync;
    } catch (error) {
      tokens.close();
      throw openFailure(error);
    }
  }

  /**
   * `device`: files are kept in OPFS, across visits. `memory`: the browser offers no private file system (a
   * private window, say) or the app asked for it: files are kept in this tab's memory until it closes, and a
   * file dropped here is safe only once uploaded.
   */
  get storage(): StorageMode {
    return this.local.kind;
  }

  /** Every live file, newest first, with its sync state on this device. */
  get files(): ReadonlyObservable<readonly FileView[]> {
    return this.#views.files;
  }

  get summary(): ReadonlyObservable<SyncSummary> {
    return this.#summary;
  }

  /**
   * Why this store stopped syncing on this page, once it has: LiveStore stopped it on its own (its worker
   * failed, say), or this page's copy lacked records the backend held for a minute while LiveStore said it
   * was up to date. The summary says `error`. Saved files stay on the device; open the store again
   * (`<ls-file-sync>` does it by itself) and they sync.
   */
  get stopped(): ReadonlyObservable<string | undefined> {
    return this.#stopped;
  }

  /** Whether this tab runs the transfers of this store (one tab per browser profile does). */
  get isLeader(): ReadonlyObservable<boolean> {
    return this.#tabs.isLeader;
  }

  /**
   * Calls `listener` now and whenever this one file's record or state changes (undefined: unknown or
   * deleted). Cheaper than watching `files` for an element that shows one file.
   */
  watchFile(id: string, listener: (view: FileView | undefined) => void): () => void {
    return this.#views.watch(id, listener);
  }

  file(id: string): FileView | undefined {
    const record = this.store.query(filesTable.where({ id, deletedAt: null }).first());
    return record && toView(record, this.#rows.locals.get(id), this.#tabs.shownActivity(id));
  }

  /**
   * Saves a file on this device and records it for every device. Resolves once the bytes are in OPFS and
   * the record is committed: the file can be shown at once, online or not. The upload follows in the background.
   */
  async saveFile(blob: Blob, options: SaveOptions = {}): Promise<FileView> {
    const [result] = await this.saveFiles([{ blob, options }]);
    if (!result?.ok) throw result?.error ?? new FileSyncError('internal', 'The file was not saved');
    return result.file;
  }

  /**
   * Saves several files (a drop, a paste): each is written to OPFS in turn, and their records are committed
   * together every 50 ms rather than one by one, since every commit re-runs the store's watched queries
   * over all its files. A file that cannot be saved (a name too long, a full disk) fails alone.
   */
  async saveFiles(requests: readonly SaveRequest[]): Promise<SaveResult[]> {
    this.#assertOpen();
    return saveFiles(requests, {
      local: this.local,
      journal: this.#journal,
      saving: this.#saving,
      uploadWhileSaving: () => this.#tabs.uploaderWhileSaving(),
      record: (records) => {
        this.#assertOpen();
        // The store's subscriptions run within the commit, so the views just published hold the records.
        this.#commitAndShow(...records.flatMap((record) => [events.fileCreated(record), events.localCopyStored({ id: record.id, hash: record.hash, at: record.createdAt })]));
        // The views lag the store when its subscriptions were held up (a leader changing tabs): ask the store.
        return records.map((record) => this.#views.get(record.id) ?? this.file(record.id));
      },
    });
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
    const name = fileName(options.name ?? (blob instanceof File && blob.name !== '' ? blob.name : current.name));
    const { hash, size } = await this.local.writeBlob(id, blob);
    const now = Date.now();
    this.#commitAndShow(
      events.fileReplaced({ id, name, type: mediaType(options.type ?? (blob.type || current.type)), size, hash, replacedAt: now }),
      events.localCopyStored({ id, hash, at: now }),
    );
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
    // A file still being saved is deleted once it is recorded.
    await this.#saving.settled(id);
    const record = this.store.query(queryDb(filesTable.where({ id }).first(), { label: `lsfs-file-${id}`, deps: [id] }));
    if (record === undefined) throw new FileSyncError('not_found', `No file with id ${id}`);
    if (record.deletedAt !== null) return;
    const now = Date.now();
    this.#commitAndShow(events.fileDeleted({ id, deletedAt: now }), events.remoteDeleteRequested({ id, at: now }));
  }

  /**
   * The bytes of a file on this device, as a disk-backed File named as saved (while it is being saved, the
   * bytes it was saved from); undefined when not here (yet).
   */
  async getFile(id: string): Promise<File | undefined> {
    // The current view rather than a query: showing a gallery asks this for every image on screen.
    const view = this.#views.get(id);
    const saving = this.#saving.get(id);
    if (view?.state.kind === 'saving' && saving) return new File([saving.blob], view.name, { type: view.type, lastModified: view.updatedAt });
    if (view) this.#markUsed(id);
    if (!view?.local) return undefined;
    const file = await this.local.read(id);
    return file && new File([file], view.name, { type: view.type, lastModified: view.updatedAt });
  }

  /**
   * Says the page is about to show file `id` from the bytes it is being saved from (`getFile` while its
   * state is `saving`): when it is the first file of a drop, its save waits for the returned function,
   * to be called once the image is painted or will not be (at most half a second), so that the save does not
   * slow the display of what was just dropped. For a file not being saved, it changes nothing.
   */
  holdSaveForDisplay(id: string): () => void {
    return this.#saving.holdForDisplay(id);
  }

  /** Asks the leader tab to fetch this file before other background downloads (a file on screen, say). */
  requestDownload(id: string): void {
    this.#markUsed(id);
    this.#tabs.send({ type: 'prioritize', id });
  }

  /** Clears a permanent failure (one file, or all) and tries again; transient ones are retried at once. */
  retry(id?: string): void {
    const now = Date.now();
    const failed = [...this.#rows.locals.values()].filter((row) => row.failure !== null && (id === undefined || row.id === id));
    if (failed.length > 0) this.#commitAndShow(...failed.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
    this.#tabs.send({ type: 'retry-now' });
  }

  /** Changes the cache budget (bytes; undefined: no limit). See `FileSyncOptions.cacheBudget`. */
  setCacheBudget(bytes: number | undefined): void {
    if (bytes !== undefined && !(Number.isFinite(bytes) && bytes >= 0)) {
      throw new FileSyncError('invalid_budget', `The cache budget must be a number of bytes, not ${bytes}`);
    }
    this.#tabs.setCacheBudget(bytes);
  }

  get cacheBudget(): number | undefined {
    return this.#tabs.cacheBudget;
  }

  /**
   * Records that a file was shown or asked for here: the budget evicts the least recently used first, and an
   * evicted copy is fetched again. Only with a budget (or for an evicted copy), and at most once a minute per
   * file: each commit re-runs the store's watched queries, and showing files is a hot path.
   */
  #markUsed(id: string): void {
    const local = this.#rows.locals.get(id);
    if (this.#closed || (this.#tabs.cacheBudget === undefined && !local?.evicted)) return;
    if (local && !local.evicted && Date.now() - local.usedAt < USE_RESOLUTION_MS) return;
    this.store.commit(events.localCopyUsed({ id, at: Date.now() }));
  }

  /** Replaces the access token (when it expires, say) and retries what an auth failure stopped. */
  setToken(token: string): void {
    this.#token = token;
    this.tokens.set(token);
    const now = Date.now();
    const authFailures = [...this.#rows.locals.values()].filter((row) => isAuthErrorCode(parseFailure(row.failure)?.code ?? ''));
    if (authFailures.length > 0) this.#commitAndShow(...authFailures.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
  }

  get token(): string {
    return this.#token;
  }

  /**
   * Stops this store's work on this page and shuts its LiveStore store down, once LiveStore's leader holds the
   * records committed here (LiveStore waits up to 3 s for it; past that the record journal brings them back at
   * the next open).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tabs.close();
    this.#connectivity.close();
    this.#saving.close();
    this.#rows.close();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#upstream?.close();
    this.#workerSaves?.close();
    this.tokens.close();
    // A store LiveStore stopped is shut down already, and refuses to shut down again: it may have stopped a
    // moment ago, before the kit heard of it, so its own flag decides (`shutdownPromise` checks it in this
    // same turn, before it awaits anything).
    if (this.#shutDown || this.store[StoreInternalsSymbol].isShutdown) return;
    await this.store.shutdownPromise();
  }

  /**
   * Commits what the caller asked for and shows it in `files` at once: views are otherwise rebuilt in a task
   * after the commit (see views/store-rows.ts), and a caller reading `files` after `deleteFile` resolves expects the
   * file gone.
   */
  #commitAndShow(...changes: FileSyncEvent[]): void {
    this.store.commit(...changes);
    this.#publishViews();
  }

  /** Nothing syncs any more until the page opens the store again. */
  #storeStopped(reason: string): void {
    if (this.#closed || this.#stopped.get() !== undefined) return;
    this.#stopped.set(reason);
    console.warn(`ls-file-sync: the store "${this.storeId}" stopped syncing on this page: ${reason}`);
    this.#publishSummary();
  }

  #assertOpen(): void {
    if (this.#closed) throw new FileSyncError('closed', 'This file sync has been closed');
  }

  #publishViews(): void {
    this.#views.publish({ records: this.#rows.records, locals: this.#rows.locals, activity: (id) => this.#tabs.shownActivity(id), saving: this.#saving.list() });
    this.#publishSummary();
  }

  #publishSummary(): void {
    this.#summary.set(this.#computeSummary());
  }

  #computeSummary(): SyncSummary {
    return summarize(this.#views.files.get(), {
      online: this.#connectivity.online,
      backendReachable: this.#connectivity.socketConnected && this.#tabs.backendAnswers(),
      upstream: this.#upstream?.state.get(),
      storeStopped: this.#stopped.get() !== undefined,
    });
  }
}

type FileSyncEvent = ReturnType<(typeof events)[keyof typeof events]>;


