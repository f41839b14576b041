/**
 * What the one tab per browser profile that leads a store does beyond every tab's work: it runs the
 * transfers, describes this device's images for other devices, and brings back what the store lost of this
 * device's saves. It starts when the tab wins the store's lock (leader.ts) and runs until the tab closes.
 */
import { findLostLocalCopies } from '../sync/lost-local-copies.js';
import type { RecordJournal } from '../sync/record-journal.js';
import { ImageDescriber } from '../images/image-describer.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';
import { fileSyncEvents as events } from '../store/schema.js';
import type { FileSyncStore } from '../store/store.js';
import { CommitBatcher } from '../transfers/commit-batcher.js';
import { Downloads } from '../transfers/downloads.js';
import { Transfers, type ConfirmationEvent, type ConfirmationKey, type TransfersOptions } from '../transfers/transfers.js';
import { DEFAULT_MULTIPART, Uploader, type MultipartOptions } from '../transfers/uploader.js';
import type { StoreRows } from '../views/store-rows.js';
import type { TransferActivities } from '../views/transfer-activity.js';

/**
 * Journal batches younger than this at a confirmation are kept (see RecordJournal.prune); older ones the store
 * lacks are committed again by the leading tab, which looks this often.
 */
const JOURNAL_PRUNE_AGE_MS = 30_000;

/** What the leading tab reads, and the one thing it tells. */
export interface LeadingTabContext {
  readonly store: FileSyncStore;
  readonly local: FileStorage;
  readonly remote: RemoteFileStorage;
  readonly rows: StoreRows;
  readonly journal: RecordJournal;
  /** Where the transfers say how they go. */
  readonly activity: TransferActivities;
  cacheBudget(): number | undefined;
  online(): boolean;
  /** Whether a file is live (its uploads in the making are kept). */
  isLive(id: string): boolean;
  /** The backend stopped answering, or answers again. */
  reachabilityChanged(): void;
}

export interface LeadingTabOptions extends TransfersOptions {
  /** Downloads run in the kit's download worker (see transfers/downloads.ts). */
  readonly downloadWorker: boolean;
  readonly multipart?: Partial<MultipartOptions>;
}

export class LeadingTab {
  readonly transfers: Transfers;
  /** Uploads of this device, from the save that begins one early to the transfer that completes it. */
  readonly uploader: Uploader;
  readonly #describer: ImageDescriber;
  readonly #downloads: Downloads;
  /** Transfers done and image descriptions made, committed together (keys: `workKey`s, `describe:<id>`). */
  readonly #confirmations: CommitBatcher<ConfirmationEvent, ConfirmationKey>;
  readonly #restoring: ReturnType<typeof setInterval>;
  #stopped = false;

  constructor(
    private readonly context: LeadingTabContext,
    options: LeadingTabOptions,
  ) {
    const { store, rows } = context;
    this.#downloads = new Downloads(context.remote, context.local, options.downloadWorker);
    this.uploader = new Uploader(store, context.remote, { ...DEFAULT_MULTIPART, ...options.multipart });
    this.#confirmations = new CommitBatcher<ConfirmationEvent, ConfirmationKey>((confirmed, keys) => {
      if (this.#stopped) return;
      store.commit(...confirmed);
      this.transfers.committed(keys);
    });
    this.transfers = new Transfers(
      {
        store,
        local: context.local,
        remote: context.remote,
        uploader: this.uploader,
        confirmations: this.#confirmations,
        records: () => rows.allRecords,
        locals: () => rows.locals,
        cacheBudget: () => context.cacheBudget(),
        online: () => context.online(),
        setActivity: (id, activity) => context.activity.set(id, activity),
        download: (target, signal, onProgress) => this.#downloads.run(target, signal, onProgress),
        reachabilityChanged: () => context.reachabilityChanged(),
      },
      { ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(options.retry ? { retry: options.retry } : {}) },
    );
    this.#describer = new ImageDescriber({
      local: context.local,
      records: () => rows.allRecords,
      locals: () => rows.locals,
      describe: (id, hash, meta) => this.#confirmations.add(`describe:${id}`, events.imageMetaSet({ id, hash, ...meta })),
    });
    this.reconcile();
    void context.journal.restore(store, context.local).catch(() => []);
    this.#restoring = setInterval(() => void this.#restoreLostRecords().catch(() => {}), JOURNAL_PRUNE_AGE_MS);
  }

  /** Plans again from the rows as they are now. */
  reconcile(): void {
    if (this.#stopped) return;
    const { transfers, context } = this;
    transfers.reconcile();
    this.uploader.keepOnly((id) => context.isLive(id));
    this.#describer.reconcile();
    // Activity of jobs that left the plan (a file deleted mid-upload) is stale.
    for (const id of [...context.activity.ids()]) if (!transfers.inTransfer(id)) context.activity.set(id, undefined);
  }

  /**
   * The backend held every record of this device at `at`: the journal lets go of what it kept for them. The
   * tab that restores the journal is the one that empties it.
   */
  upstreamConfirmed(at: number): void {
    if (!this.#stopped) void this.context.journal.prune(this.context.store, at - JOURNAL_PRUNE_AGE_MS).catch(() => {});
  }

  /**
   * Commits what transfers confirmed and is not committed yet, and stops. Never throws: a store LiveStore
   * stopped refuses the commit, and what it would have said is planned again by the next leader (the bytes
   * are on the device or remote; see sync/lost-local-copies.ts).
   */
  stop(): void {
    try {
      this.#confirmations.flush();
    } catch (error) {
      console.warn('[ls-file-sync] the last confirmations could not be committed while stopping', error);
    }
    this.#stopped = true;
    clearInterval(this.#restoring);
    this.transfers.stop();
    this.#describer.stop();
    this.#downloads.close();
  }

  /** What the store lost of this device's saves: records only in the journal, notes of local copies (see sync/). */
  async #restoreLostRecords(): Promise<void> {
    const { store, local, journal, rows } = this.context;
    await journal.restore(store, local, { journaledBefore: Date.now() - JOURNAL_PRUNE_AGE_MS });
    for (const record of await findLostLocalCopies(rows.records, rows.locals, local)) {
      if (this.#stopped) return;
      store.commit(events.localCopyStored({ id: record.id, hash: record.hash, at: Date.now() }));
    }
  }
}
