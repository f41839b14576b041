/**
 * The file-sync core: save a file to this device at once, then let the leader tab upload it, download what
 * other devices added, and carry deletions both ways. Framework-free; the elements are one client of it.
 */
import { queryDb, Schema, type Adapter } from '@livestore/livestore';
import { Effect, Fiber, Stream } from 'effect';
import { kitAssetUrls } from './assets.js';
import { CommitBatcher } from './commit-batcher.js';
import { DownloadWorkerClient } from './download-client.js';
import type { DownloadJob, DownloadTarget } from './download-protocol.js';
import { FileSyncError } from './errors.js';
import { ImageDescriber } from './image-describer.js';
import { claimLeadership, type Leadership } from './leader.js';
import { LocalFileStorage } from './local-storage.js';
import { Observable, type ReadonlyObservable } from './observable.js';
import { RemoteFileStorage } from './remote-storage.js';
import { parseRevs, revsSql, RowMirror, type RevsRow } from './row-mirror.js';
import {
  fileSyncEvents as events,
  fileLocalStateTable,
  filesTable,
  fileVersionsTable,
  type FileLocalStateRow,
  type FileRow,
  type FileVersionRow,
} from './schema.js';
import { toView, type FileSyncState, type FileView, type TransferActivity } from './state.js';
import { sameSummary, summarize, type SyncSummary } from './summary.js';
import { openStore, type FileSyncStore } from './store.js';
import { provideToken, type TokenProvider } from './token-relay.js';
import { findLostLocalCopies } from './sync/lost-local-copies.js';
import { RecordJournal, type JournalEntry } from './sync/record-journal.js';
import { UpstreamCheck } from './sync/upstream-check.js';
import type { RetryPolicy } from './transfer-queue.js';
import { Transfers, type ConfirmationEvent } from './transfers.js';
import { DEFAULT_MULTIPART, Uploader, type MultipartOptions } from './uploader.js';

export type { SyncStatus, SyncSummary } from './summary.js';

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
  /**
   * The most bytes of files to keep on this device (default: no limit, every file is fetched). Over it, the
   * local copies of files that are safe in remote storage are removed, least recently used first, and fetched
   * again when shown or asked for. Files not uploaded yet are never removed. Also `setCacheBudget()`.
   */
  readonly cacheBudget?: number;
  /**
   * Downloads run in a worker of the kit's (`download-worker.js`, next to the kit's other workers) so the
   * page's main thread does not handle their bytes (default: true where workers exist). False runs them in
   * the page.
   */
  readonly downloadWorker?: boolean;
}

export interface SaveOptions {
  /** Defaults to the File's name, or "file". */
  readonly name?: string;
  /** Defaults to the Blob's type. */
  readonly type?: string;
}

/** One file for `saveFiles`: a Blob (a File keeps its name), or a Blob with options. */
export type SaveRequest = Blob | { readonly blob: Blob; readonly options?: SaveOptions };

/** What became of one file of `saveFiles`, in the order given. */
export type SaveResult = { readonly ok: true; readonly file: FileView } | { readonly ok: false; readonly error: Error };

type ChannelMessage =
  | { readonly type: 'activity'; readonly activity: readonly (readonly [string, TransferActivity])[]; readonly backendReachable: boolean }
  | { readonly type: 'hello' }
  | { readonly type: 'prioritize'; readonly id: string }
  | { readonly type: 'retry-now' }
  | { readonly type: 'cache-budget'; readonly bytes: number | null };

const MAX_NAME_LENGTH = 1024;
const ACTIVITY_THROTTLE_MS = 100;
const USE_RESOLUTION_MS = 60_000;
/** While saving many files, their records are committed together at most this often. */
const SAVE_BATCH_MS = 50;

// What the store watches: each record's id and `rev` (deleted records too, which reconciliation needs), and
// each local row's. A commit re-runs these over every row, and only the rows whose `rev` moved are read whole
// (row-mirror.ts). In the order rows were made (else SQLite may read the id index, in the ids' order): records
// of the same millisecond keep it. In SQL with a pass-through schema: LiveStore decodes every row of a query
// through Effect Schema on each re-run, and these need no decoding. As one row (see `revsSql`).
const revsOf = (table: string, ...alsoWatched: string[]) =>
  queryDb(
    {
      query: revsSql(table),
      schema: Schema.Any as Schema.Schema<readonly RevsRow[]>,
      queriedTables: new Set([table, ...alsoWatched]),
    },
    { label: `lsfs-revs-${table}` },
  );
const fileRevs$ = revsOf(filesTable.sqliteDef.name, fileVersionsTable.sqliteDef.name);
const localRevs$ = revsOf(fileLocalStateTable.sqliteDef.name);

/**
 * Journal batches younger than this at a confirmation are kept (see RecordJournal.prune); older ones the store
 * lacks are committed again by the leading tab, which looks this often.
 */
const JOURNAL_PRUNE_AGE_MS = 30_000;

const newestFirst = (a: FileRow, b: FileRow) => b.createdAt - a.createdAt;

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
  /** What each view was made from, to keep it while none of that changes. */
  #viewSources = new Map<string, ViewSource>();
  readonly #fileWatchers = new Map<string, Set<(view: FileView | undefined) => void>>();
  readonly #cleanups: (() => void)[] = [];
  readonly #channel: BroadcastChannel | undefined;
  readonly #leadership: Leadership;
  /** This tab's transfer work, once it leads the store (one tab per browser profile does). */
  #transfers: Transfers | undefined;
  /** Describes for other devices the images this device holds, once this tab leads (see image-describer.ts). */
  #describer: ImageDescriber | undefined;
  readonly #downloads: DownloadWorkerClient | undefined;
  /** Whether the backend holds this device's records, asked of the backend itself (see sync/upstream-check.ts). */
  readonly #upstream: UpstreamCheck | undefined;
  /** Records of saves kept in OPFS until the backend holds them (see sync/record-journal.ts). */
  readonly #journal: RecordJournal;
  #token: string;
  #online = typeof navigator === 'undefined' ? true : navigator.onLine;
  #socketConnected = false;
  /** Why LiveStore stopped the store on its own, once it has. */
  readonly #stopped = new Observable<string | undefined>(undefined);
  /** In a tab that does not lead: the leader said requests get no answer and it is probing the backend. */
  #leaderReportsDown = false;
  #closed = false;
  #activityTimer: ReturnType<typeof setTimeout> | undefined;
  #cacheBudget: number | undefined;
  /** Every record, deleted ones too, newest first. */
  #allRecords: readonly FileRow[] = [];
  readonly #recordRows = new RowMirror<FileRow>((ids) => this.#readRows(filesTable.sqliteDef.name, ids));
  readonly #localRows = new RowMirror<FileLocalStateRow>((ids) =>
    this.#readRows<StoredLocalRow>(fileLocalStateTable.sqliteDef.name, ids).map((row) => ({
      ...row,
      remoteDeletePending: row.remoteDeletePending === 1,
      evicted: row.evicted === 1,
    })),
  );
  /** The live records, newest first. */
  #records: readonly FileRow[] = [];
  #locals = new Map<string, FileLocalStateRow>();
  /** Transfers done and image descriptions made, committed together (keys: `workKey`s, `describe:<id>`). */
  readonly #confirmations: CommitBatcher<ConfirmationEvent>;

  private constructor(
    readonly store: FileSyncStore,
    options: FileSyncOptions,
    private readonly tokens: TokenProvider,
  ) {
    this.storeId = options.storeId;
    this.endpoint = options.endpoint;
    this.#token = options.token;
    this.#cacheBudget = options.cacheBudget;
    this.local = new LocalFileStorage(options.storeId, options.localDirectory);
    this.#journal = new RecordJournal(this.local.root, options.storeId);
    this.remote = new RemoteFileStorage({
      endpoint: options.endpoint,
      storeId: options.storeId,
      token: () => this.#token,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
    this.#uploader = new Uploader(store, this.remote, { ...DEFAULT_MULTIPART, ...options.multipart });
    this.#downloads =
      options.downloadWorker !== false && typeof Worker === 'function' ? new DownloadWorkerClient(kitAssetUrls().downloadWorker, this.#downloadInPage) : undefined;
    this.#upstream = options.endpoint
      ? new UpstreamCheck({ store, endpoint: options.endpoint, storeId: options.storeId, token: () => this.#token, reconnect: () => tokens.reconnect() })
      : undefined;
    this.#summary = new Observable<SyncSummary>(this.#computeSummary(), sameSummary);
    if (this.#upstream) {
      this.#cleanups.push(
        this.#upstream.state.subscribe((state) => {
          this.#publishSummary();
          // The tab that restores the journal is the one that empties it.
          if (state.kind === 'confirmed' && this.#transfers) void this.#journal.prune(this.store, state.at - JOURNAL_PRUNE_AGE_MS).catch(() => {});
        }),
      );
    }
    this.#confirmations = new CommitBatcher((confirmed, keys) => {
      if (this.#closed) return;
      this.store.commit(...confirmed);
      this.#transfers?.committed(keys);
    });
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
      const { store, stopped } = await openStore(options);
      const sync = new FileSync(store, options, tokens);
      void stopped.then((reason) => sync.#storeStopped(reason));
      return sync;
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

  /**
   * Why LiveStore stopped this store on its own (its worker failed, say), once it has: nothing is committed or
   * synced any more, and the summary says `error`. Saved files stay on the device; open the store again
   * (`<ls-file-sync>` does it by itself) and they sync.
   */
  get stopped(): ReadonlyObservable<string | undefined> {
    return this.#stopped;
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
    const record = this.store.query(filesTable.where({ id, deletedAt: null }).first());
    return record && toView(record, this.#locals.get(id), this.#shownActivity(id));
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
    const results: SaveResult[] = [];
    let batch: { readonly index: number; readonly record: JournalEntry }[] = [];
    let committedAt = Date.now();
    const commit = async () => {
      if (batch.length === 0) return;
      // Journaled first: a page closed before LiveStore's leader has the commit loses nothing (record-journal.ts).
      // The journal is a safety net: a save does not fail for want of it.
      await this.#journal.add(batch.map((saved) => saved.record)).catch(() => {});
      // Closed meanwhile (the page is leaving): the journal holds the records, the next open commits them.
      this.#assertOpen();
      // The store's subscriptions run within the commit, so the views just published hold the batch.
      this.#commitAndShow(
        ...batch.flatMap(({ record }) => [events.fileCreated(record), events.localCopyStored({ id: record.id, hash: record.hash, at: record.createdAt })]),
      );
      for (const { index, record } of batch) {
        // The views lag the store when its subscriptions were held up (a leader changing tabs): ask the store.
        const view = this.#viewsById.get(record.id) ?? this.file(record.id);
        results[index] = view ? { ok: true, file: view } : { ok: false, error: new FileSyncError('internal', 'The saved file was not recorded') };
        if (view) this.#uploader.recorded(record.id, view.hash);
        else this.#uploader.cancel(record.id);
      }
      batch = [];
      committedAt = Date.now();
    };
    for (const [index, request] of requests.entries()) {
      const { blob, options = {} } = request instanceof Blob ? { blob: request } : request;
      const id = crypto.randomUUID();
      try {
        const name = options.name ?? (blob instanceof File ? blob.name : '');
        const displayName = name === '' ? 'file' : name;
        if (displayName.length > MAX_NAME_LENGTH) {
          throw new FileSyncError('name_too_long', `The file name is longer than ${MAX_NAME_LENGTH} characters`);
        }
        const type = options.type ?? blob.type;
        // A large file starts going up while it is saved (the uploader reads the blob being saved): the
        // save and the upload overlap instead of taking turns. Only in the tab that runs the transfers,
        // and only when the backend answers; otherwise the upload starts from OPFS once the file is saved.
        if (this.#online && this.#transfers?.backendReachable === true) this.#uploader.begin(id, blob, type);
        const { hash, size } = await this.local.writeBlob(id, blob);
        batch.push({ index, record: { id, name: displayName, type, size, hash, createdAt: Date.now() } });
      } catch (error) {
        this.#uploader.cancel(id);
        results[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
      if (Date.now() - committedAt >= SAVE_BATCH_MS) await commit();
    }
    await commit();
    return results;
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
    this.#commitAndShow(
      events.fileReplaced({ id, name, type: options.type ?? (blob.type || current.type), size, hash, replacedAt: now }),
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
    const record = this.store.query(queryDb(filesTable.where({ id }).first(), { label: `lsfs-file-${id}`, deps: [id] }));
    if (record === undefined) throw new FileSyncError('not_found', `No file with id ${id}`);
    if (record.deletedAt !== null) return;
    const now = Date.now();
    this.#commitAndShow(events.fileDeleted({ id, deletedAt: now }), events.remoteDeleteRequested({ id, at: now }));
  }

  /** The bytes of a file on this device, as a disk-backed File named as saved; undefined when not here (yet). */
  async getFile(id: string): Promise<File | undefined> {
    // The current view rather than a query: showing a gallery asks this for every image on screen.
    const view = this.#viewsById.get(id);
    if (view) this.#markUsed(id);
    if (!view?.local) return undefined;
    const file = await this.local.read(id);
    return file && new File([file], view.name, { type: view.type, lastModified: view.updatedAt });
  }

  /** Asks the leader tab to fetch this file before other background downloads (a file on screen, say). */
  requestDownload(id: string): void {
    this.#markUsed(id);
    if (this.#transfers) this.#transfers.prioritizeDownload(id);
    else this.#post({ type: 'prioritize', id });
  }

  /** Clears a permanent failure (one file, or all) and tries again; transient ones are retried at once. */
  retry(id?: string): void {
    const now = Date.now();
    const failed = [...this.#locals.values()].filter((row) => row.failure !== null && (id === undefined || row.id === id));
    if (failed.length > 0) this.#commitAndShow(...failed.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
    if (this.#transfers) this.#transfers.retryNow();
    else this.#post({ type: 'retry-now' });
  }

  /** Changes the cache budget (bytes; undefined: no limit). See `FileSyncOptions.cacheBudget`. */
  setCacheBudget(bytes: number | undefined): void {
    if (bytes !== undefined && !(Number.isFinite(bytes) && bytes >= 0)) {
      throw new FileSyncError('invalid_budget', `The cache budget must be a number of bytes, not ${bytes}`);
    }
    this.#cacheBudget = bytes;
    if (this.#transfers) this.#reconcile();
    else this.#post({ type: 'cache-budget', bytes: bytes ?? null });
  }

  get cacheBudget(): number | undefined {
    return this.#cacheBudget;
  }

  /**
   * Records that a file was shown or asked for here: the budget evicts the least recently used first, and an
   * evicted copy is fetched again. Only with a budget (or for an evicted copy), and at most once a minute per
   * file: each commit re-runs the store's watched queries, and showing files is a hot path.
   */
  #markUsed(id: string): void {
    const local = this.#locals.get(id);
    if (this.#closed || (this.#cacheBudget === undefined && !local?.evicted)) return;
    if (local && !local.evicted && Date.now() - local.usedAt < USE_RESOLUTION_MS) return;
    this.store.commit(events.localCopyUsed({ id, at: Date.now() }));
  }

  /** Replaces the access token (when it expires, say) and retries what an auth failure stopped. */
  setToken(token: string): void {
    this.#token = token;
    this.tokens.set(token);
    const now = Date.now();
    const authFailures = [...this.#locals.values()].filter((row) => /"code":"(token_|wrong_store|scope_missing)/.test(row.failure ?? ''));
    if (authFailures.length > 0) this.#commitAndShow(...authFailures.map((row) => events.transferFailureCleared({ id: row.id, at: now })));
  }

  get token(): string {
    return this.#token;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#confirmations.flush();
    this.#closed = true;
    this.#transfers?.stop();
    this.#describer?.stop();
    this.#downloads?.close();
    clearTimeout(this.#activityTimer);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#upstream?.close();
    this.#channel?.close();
    this.tokens.close();
    this.#leadership.release();
    // A store LiveStore stopped is shut down already.
    if (this.#stopped.get() === undefined) await this.store.shutdownPromise();
  }

  /**
   * Commits what the caller asked for and shows it in `files` at once: views are otherwise rebuilt in a task
   * after the commit (see #watchStore), and a caller reading `files` after `deleteFile` resolves expects the
   * file gone.
   */
  #commitAndShow(...changes: FileSyncEvent[]): void {
    this.store.commit(...changes);
    this.#publishViews();
  }

  /** LiveStore shut the store down on its own: nothing commits or syncs any more until the page opens it again. */
  #storeStopped(reason: string): void {
    if (this.#closed) return;
    this.#stopped.set(reason);
    console.warn(`ls-file-sync: LiveStore stopped the store "${this.storeId}" on this page: ${reason}`);
    this.#publishSummary();
  }

  #assertOpen(): void {
    if (this.#closed) throw new FileSyncError('closed', 'This file sync has been closed');
  }

  #watchStore(): void {
    // One commit wakes both of these, and commits come in bursts (a drop of 100 files, a queue finishing
    // uploads): views and the plan are rebuilt once after the burst, not once per subscription and commit.
    // In a task of their own: the commit has just re-run the store's queries, and the views it wakes are
    // rendered after them; one task for all of it was the longest the page had while syncing 1,000 files.
    let scheduled = false;
    let rowsChanged = false;
    const refresh = (changed: boolean) => {
      rowsChanged ||= changed;
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        if (this.#closed) return;
        if (rowsChanged) this.#publishViews();
        rowsChanged = false;
        this.#reconcile();
      }, 0);
    };
    this.#cleanups.push(
      // A commit that changes no record may still change what the leader owes: a version's upload confirmed
      // (file_versions) is written with its record, whose update applies only if the version is current.
      this.store.subscribe(fileRevs$, (revs) => {
        const rows = this.#recordRows.update(parseRevs(revs));
        if (rows !== undefined) {
          // A stable sort: records of the same millisecond stay in the order they were made.
          this.#allRecords = [...rows].sort(newestFirst);
          this.#records = this.#allRecords.filter((row) => row.deletedAt === null);
        }
        refresh(rows !== undefined);
      }),
      this.store.subscribe(localRevs$, (revs) => {
        const rows = this.#localRows.update(parseRevs(revs));
        if (rows !== undefined) this.#locals = new Map(rows.map((row) => [row.id, row]));
        refresh(rows !== undefined);
      }),
    );
  }

  /** Rows of `table` whole, those of `ids` or all; read within the commit that changed them (no decoding, see `revsOf`). */
  #readRows<Row>(table: string, ids: readonly string[] | undefined): readonly Row[] {
    const query = ids === undefined ? `SELECT * FROM ${table}` : `SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`;
    return this.store.query({ query, bindValues: ids === undefined ? [] : [JSON.stringify(ids)] }) as readonly Row[];
  }

  #watchNetwork(): void {
    if (typeof addEventListener === 'function') {
      const update = () => {
        this.#online = navigator.onLine;
        this.#publishViews();
        if (this.#online) this.#transfers?.retryNow({ unansweredOnly: true });
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
              this.#leaderReportsDown = false;
              this.#transfers?.backendAnswered();
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
          if (this.#transfers) return; // a leader trusts its own queue
          this.#activity.clear();
          for (const [id, activity] of message.activity) this.#activity.set(id, activity);
          this.#leaderReportsDown = !message.backendReachable;
          this.#publishViews();
          return;
        case 'hello':
          if (this.#transfers) this.#broadcastActivity();
          return;
        case 'prioritize':
          this.#transfers?.prioritizeDownload(message.id);
          return;
        case 'retry-now':
          this.#transfers?.retryNow();
          return;
        case 'cache-budget':
          if (!this.#transfers) return;
          this.#cacheBudget = message.bytes ?? undefined;
          this.#reconcile();
          return;
      }
    };
    this.#post({ type: 'hello' });
  }

  #post(message: ChannelMessage): void {
    if (!this.#closed) this.#channel?.postMessage(message);
  }

  /**
   * A download, in the kit's download worker where workers exist (pages): reading, hashing and writing
   * every byte cost the main thread 1.6 s per 256 MiB. In place elsewhere, or when `downloadWorker` is off.
   */
  #download(target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    if (this.#downloads === undefined) return this.#downloadInPage(target, signal, onProgress);
    const job: DownloadJob = {
      ...target,
      endpoint: this.remote.config.endpoint,
      storeId: this.local.storeId,
      token: this.remote.config.token(),
      idleTimeoutMs: this.remote.idleTimeoutMs,
      localDirectory: this.local.root,
    };
    return this.#downloads.run(job, signal, onProgress);
  }

  /** Loaded when first needed: a page whose downloads all run in the worker never loads this code. */
  #downloadInPage = async (target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> => {
    const { runDownload } = await import('./download-job.js');
    return runDownload(this.remote, this.local, target, signal, onProgress);
  };

  /** Runs in the tab that holds the lock: owns the transfers until the tab closes. */
  #lead(options: FileSyncOptions): void {
    if (this.#closed) return;
    this.#isLeader.set(true);
    this.#transfers = new Transfers(
      {
        store: this.store,
        local: this.local,
        remote: this.remote,
        uploader: this.#uploader,
        confirmations: this.#confirmations,
        records: () => this.#allRecords,
        locals: () => this.#locals,
        cacheBudget: () => this.#cacheBudget,
        online: () => this.#online,
        setActivity: (id, activity) => this.#setActivity(id, activity),
        download: (target, signal, onProgress) => this.#download(target, signal, onProgress),
        reachabilityChanged: () => {
          this.#publishViews();
          this.#broadcastActivity();
        },
      },
      { ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(options.retry ? { retry: options.retry } : {}) },
    );
    this.#describer = new ImageDescriber({
      local: this.local,
      records: () => this.#allRecords,
      locals: () => this.#locals,
      describe: (id, hash, meta) => this.#confirmations.add(`describe:${id}`, events.imageMetaSet({ id, hash, ...meta })),
    });
    this.#reconcile();
    this.#publishSummary();
    void this.#journal.restore(this.store, this.local).catch(() => []);
    const restoring = setInterval(() => void this.#restoreLostRecords().catch(() => {}), JOURNAL_PRUNE_AGE_MS);
    this.#cleanups.push(() => clearInterval(restoring));
  }

  /** What the store lost of this device's saves: records only in the journal, notes of local copies (see sync/). */
  async #restoreLostRecords(): Promise<void> {
    await this.#journal.restore(this.store, this.local, { journaledBefore: Date.now() - JOURNAL_PRUNE_AGE_MS });
    for (const record of await findLostLocalCopies(this.#records, this.#locals, this.local)) {
      if (this.#closed) return;
      this.#commitAndShow(events.localCopyStored({ id: record.id, hash: record.hash, at: Date.now() }));
    }
  }

  #reconcile(): void {
    const transfers = this.#transfers;
    if (!transfers || this.#closed) return;
    transfers.reconcile();
    this.#uploader.keepOnly((id) => this.#viewsById.has(id));
    this.#describer?.reconcile();
    // Activity of jobs that left the plan (a file deleted mid-upload) is stale.
    for (const id of this.#activity.keys()) if (!transfers.inTransfer(id)) this.#setActivity(id, undefined);
  }

  /** Whether the backend answers, as far as the leader knows (this tab, or the one that told it). */
  #backendAnswers(): boolean {
    return this.#transfers ? this.#transfers.backendReachable : !this.#leaderReportsDown;
  }

  /**
   * A retry timer means nothing while the network or the backend is gone: the queue holds until they are
   * back. Meanwhile a file reads as what it is (saved here, or in the cloud), not as "waiting to retry".
   */
  #shownActivity(id: string): TransferActivity | undefined {
    const activity = this.#activity.get(id);
    return activity?.kind === 'waiting-retry' && (!this.#online || !this.#backendAnswers()) ? undefined : activity;
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
    this.#post({ type: 'activity', activity: [...this.#activity], backendReachable: this.#backendAnswers() });
  }

  #publishViews(): void {
    const previous = this.#viewsById;
    const sources = new Map<string, ViewSource>();
    const views = this.#records.map((record) => {
      const local = this.#locals.get(record.id);
      const activity = this.#shownActivity(record.id);
      const before = this.#viewSources.get(record.id);
      // The rows a commit did not change are the objects read before (row-mirror.ts): their view stands.
      if (before !== undefined && before.record === record && before.local === local && before.activity === activity) {
        sources.set(record.id, before);
        return before.view;
      }
      const made = toView(record, local, activity);
      // Keep the old object when nothing shown changed, so watchers and renderers can compare by identity.
      const view = before !== undefined && sameView(before.view, made) ? before.view : made;
      sources.set(record.id, { record, local, activity, view });
      return view;
    });
    this.#viewSources = sources;
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
    return summarize(this.#files.get(), {
      online: this.#online,
      backendReachable: this.#socketConnected && this.#backendAnswers(),
      upstream: this.#upstream?.state.get(),
      storeStopped: this.#stopped.get() !== undefined,
    });
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
    sameState(a.state, b.state)
  );
}

/** Runs for every file on every change: compares fields rather than serialising (which left 2,000 strings to collect). */
function sameState(a: FileSyncState, b: FileSyncState): boolean {
  if (a.kind === 'failed' || b.kind === 'failed') {
    if (a.kind !== 'failed' || b.kind !== 'failed') return false;
    const [x, y] = [a.failure, b.failure];
    return x.direction === y.direction && x.code === y.code && x.message === y.message && x.status === y.status;
  }
  // Every other state holds only primitives.
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  for (const key in x) if (x[key] !== y[key]) return false;
  for (const key in y) if (!(key in x)) return false;
  return true;
}

interface ViewSource {
  readonly record: FileRow;
  readonly local: FileLocalStateRow | undefined;
  readonly activity: TransferActivity | undefined;
  readonly view: FileView;
}

/** A local row as SQLite stores it: booleans are 0 or 1. */
type StoredLocalRow = Omit<FileLocalStateRow, 'remoteDeletePending' | 'evicted'> & { readonly remoteDeletePending: number; readonly evicted: number };

type FileSyncEvent = ReturnType<(typeof events)[keyof typeof events]>;


