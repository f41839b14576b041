/**
 * Checks end to end, whatever LiveStore reports, that the backend holds every record of this device and that
 * this device holds every record of the backend: it compares the device's records in short with the
 * manifest the worker folds from its own event log (manifest.ts). LiveStore's sync status compares a tab
 * with its leader worker only, and a leader whose sync stopped on an error it swallowed still reads as
 * synced. A record the backend lacks for a while, and that LiveStore no longer holds to send, is committed
 * again (the kit's events are idempotent); a device that lacks the backend's records for a while asks its
 * leader worker to reconnect; and when neither side comes closer for a minute the state says `stalled`.
 *
 * The state it publishes is a claim with an expiry: `confirmed` lasts `UPSTREAM_TIMING.confirmationTtl` from the answer
 * that confirmed it, or until this device's records change.
 */
import { queryDb, Schema } from '@livestore/livestore';
import { Observable, type ReadonlyObservable } from '../observable.js';
import { fileSyncEvents, filesTable, type FileRow } from '../store/schema.js';
import type { FileSyncStore } from '../store/store.js';
import { MANIFEST_DIGEST_HEADER, manifestPath } from '../wire.js';
import { compareManifests, manifestFromRows, manifestTextRows, sha256Hex, type ManifestResponse } from './manifest.js';

export type UpstreamState =
  /** No answer of the backend confirms this device's records now (none yet, or the last one is too old). */
  | { readonly kind: 'unconfirmed' }
  /** The backend's records and this device's were the same at `at`, and this device's have not changed since. */
  | { readonly kind: 'confirmed'; readonly at: number }
  /**
   * They differ: files whose record the backend lacks (`missingUpstream`) or this device lacks (`missingHere`).
   * `stalled`: one side has not come closer for `UpstreamTiming.stalledAfter`, sending again and reconnecting
   * notwithstanding: this device's sync has stopped, and only reopening the page restarts LiveStore's worker.
   */
  | { readonly kind: 'differs'; readonly missingUpstream: number; readonly missingHere: number; readonly stalled: boolean }
  /**
   * The records match, but this device's live connection has not brought the events the backend held
   * `UpstreamTiming.pullWithin` ago (an image's description, say): it is not hearing, though its socket may look open.
   */
  | { readonly kind: 'behind'; readonly stalled: boolean };

/** When the check asks again and when it acts (all in milliseconds). */
export interface UpstreamTiming {
  /** How long an answer that matched vouches for this device's records. */
  readonly confirmationTtl: number;
  /** While confirmed: ask again before the confirmation runs out. */
  readonly recheckConfirmed: number;
  /** While different or unanswered: ask again soon, LiveStore is usually moving. */
  readonly recheckDifferent: number;
  /** After a change of this device's records: ask once they have settled for a moment. */
  readonly afterChange: number;
  /** Files missing upstream this long without fewer going missing are committed again. */
  readonly resendAfter: number;
  /** Records missing here this long without fewer going missing: the live pull is not working; the leader reconnects. */
  readonly reconnectAfter: number;
  /** No side coming closer this long (after sending again and reconnecting): the sync has stopped. */
  readonly stalledAfter: number;
  /** The live connection must bring what the backend holds within this long, else it is not alive. */
  readonly pullWithin: number;
}

export const UPSTREAM_TIMING: UpstreamTiming = {
  confirmationTtl: 15_000,
  recheckConfirmed: 10_000,
  recheckDifferent: 2_000,
  afterChange: 500,
  resendAfter: 10_000,
  reconnectAfter: 15_000,
  stalledAfter: 60_000,
  pullWithin: 15_000,
};
const REQUEST_TIMEOUT_MS = 10_000;

/** This device's records as the manifest's text (`manifestText` in manifest.ts), built in SQL in one query. */
const localManifest$ = queryDb(
  {
    query: `SELECT group_concat(id || ' ' || hash || ' ' || (remoteKey IS NOT NULL) || ' ' || (deletedAt IS NOT NULL), char(10) ORDER BY id) AS text FROM ${filesTable.sqliteDef.name}`,
    schema: Schema.Any as Schema.Schema<readonly { readonly text: string | null }[]>,
    queriedTables: new Set([filesTable.sqliteDef.name]),
  },
  { label: 'lsfs-upstream-manifest' },
);

export interface UpstreamCheckOptions {
  readonly store: FileSyncStore;
  readonly endpoint: string;
  readonly storeId: string;
  readonly token: () => string;
  /** Asks this device's LiveStore leader to open its sync connection again. */
  readonly reconnect: () => void;
  /** Shorter times for tests; the defaults are `UPSTREAM_TIMING`. */
  readonly timing?: Partial<UpstreamTiming>;
}

export class UpstreamCheck {
  readonly #state = new Observable<UpstreamState>({ kind: 'unconfirmed' }, (a, b) => JSON.stringify(a) === JSON.stringify(b));
  readonly #options: UpstreamCheckOptions;
  readonly #timing: UpstreamTiming;
  #localText = '';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #inFlight = false;
  #closed = false;
  /** Per side: whether its count of missing files comes down, and when it was last nudged. */
  readonly #upstream = new SideProgress();
  readonly #here = new SideProgress();
  /** Events the backend holds that this device's leader has not pulled yet. */
  readonly #pull = new SideProgress();
  readonly #unsubscribe: () => void;

  constructor(options: UpstreamCheckOptions) {
    this.#options = options;
    this.#timing = { ...UPSTREAM_TIMING, ...options.timing };
    this.#unsubscribe = options.store.subscribe(localManifest$, (rows) => {
      const text = rows[0]?.text ?? '';
      if (text === this.#localText) return;
      this.#localText = text;
      // A claim about other records than these no longer holds.
      if (this.#state.get().kind === 'confirmed') this.#state.set({ kind: 'unconfirmed' });
      this.#schedule(this.#timing.afterChange);
    });
    this.#schedule(0);
  }

  get state(): ReadonlyObservable<UpstreamState> {
    return this.#state;
  }

  /** Asks the backend now (after reconnecting, say). */
  checkSoon(): void {
    this.#schedule(0);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    clearTimeout(this.#timer);
    clearTimeout(this.#expiry);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), ms);
  }

  async #check(): Promise<void> {
    if (this.#inFlight) return this.#schedule(this.#timing.afterChange);
    this.#inFlight = true;
    const text = this.#localText;
    try {
      const answer = await this.#ask(await sha256Hex(text));
      if (this.#closed) return;
      if (text !== this.#localText) return this.#schedule(this.#timing.afterChange);
      if (answer === undefined) {
        // Without answers nothing can be judged stuck (a device back online has not stalled for having been away).
        this.#upstream.reset();
        this.#here.reset();
        this.#pull.reset();
        this.#state.set({ kind: 'unconfirmed' });
        return this.#schedule(this.#timing.recheckDifferent);
      }
      const pulledHead = await this.#pulledHead();
      if (this.#closed) return;
      const now = Date.now();
      // Read after the answer, so a pull that keeps up is never seen behind the head the answer named.
      if (pulledHead !== undefined) this.#pull.note(Math.max(0, answer.head - pulledHead), now);
      if (answer.files !== undefined) this.#differs(manifestFromRows(answer.files), text, now);
      else this.#matches(now);
    } finally {
      this.#inFlight = false;
    }
  }

  /** The records match: confirmed, unless the live connection has stopped bringing what the backend holds. */
  #matches(now: number): void {
    this.#upstream.reset();
    this.#here.reset();
    if (now - this.#pull.stuckSince < this.#timing.pullWithin) return this.#confirm(now);
    if (this.#pull.nudgeDue(now, this.#timing.reconnectAfter)) this.#options.reconnect();
    this.#state.set({ kind: 'behind', stalled: now - this.#pull.stuckSince >= this.#timing.stalledAfter });
    this.#schedule(this.#timing.recheckDifferent);
  }

  #confirm(at: number): void {
    this.#state.set({ kind: 'confirmed', at });
    clearTimeout(this.#expiry);
    this.#expiry = setTimeout(() => {
      const state = this.#state.get();
      if (state.kind === 'confirmed' && state.at === at) this.#state.set({ kind: 'unconfirmed' });
    }, this.#timing.confirmationTtl);
    this.#schedule(this.#timing.recheckConfirmed);
  }

  #differs(remote: ReturnType<typeof manifestFromRows>, text: string, now: number): void {
    const local = manifestFromRows(manifestTextRows(text));
    const { missingUpstream, missingHere } = compareManifests(local, remote);
    if (missingUpstream.length === 0 && missingHere.length === 0) return this.#matches(now); // digests of equal rows differ only if a format changed
    this.#upstream.note(missingUpstream.length, now);
    this.#here.note(missingHere.length, now);
    // While fewer go missing LiveStore is at work (a burst of a thousand files takes a while); only a count
    // that has not come down for a while is nudged, and then again no sooner than after as long.
    if (this.#upstream.nudgeDue(now, this.#timing.resendAfter)) void this.#resendIfLiveStoreIsDone(missingUpstream, remote);
    if (this.#here.nudgeDue(now, this.#timing.reconnectAfter)) this.#options.reconnect();
    const stalled = now - Math.min(this.#upstream.stuckSince, this.#here.stuckSince, this.#pull.stuckSince) >= this.#timing.stalledAfter;
    this.#state.set({ kind: 'differs', missingUpstream: missingUpstream.length, missingHere: missingHere.length, stalled });
    this.#schedule(this.#timing.recheckDifferent);
  }

  /**
   * Sends again only what LiveStore no longer holds to send: while it still has events of this device to
   * push it is at work (or its sync has stopped, which sending more would not mend), and every event added
   * then makes each of its rebases longer. LiveStore 0.4 has no public reading of what it holds pending;
   * `_dev.syncStates()` is its own (internal, present in production builds).
   */
  /** The number of the last backend event this device's leader has pulled; undefined when LiveStore does not say. */
  async #pulledHead(): Promise<number | undefined> {
    const states = await this.#options.store._dev.syncStates().catch(() => undefined);
    return states?.leader?.upstreamHead.global;
  }

  async #resendIfLiveStoreIsDone(ids: readonly string[], remote: ReturnType<typeof manifestFromRows>): Promise<void> {
    const { session, leader } = await this.#options.store._dev.syncStates().catch(() => ({ session: undefined, leader: undefined }));
    if (this.#closed || session === undefined || leader === undefined) return;
    // Client-only events (client number above 0) never leave the device, so they stay pending for good.
    const toPush = [...session.pending, ...leader.pending].filter((event) => event.seqNum.client === 0).length;
    if (toPush === 0) this.#resend(ids, remote);
  }

  /**
   * Commits again what the backend lacks of these files: the creation when it has no record at all, the
   * upload or the deletion when it has the same content without them. A file whose content differs is left
   * to LiveStore: committing this device's content again would undo a later replacement made elsewhere.
   */
  #resend(ids: readonly string[], remote: ReturnType<typeof manifestFromRows>): void {
    const { store } = this.#options;
    const events = [];
    for (const id of ids) {
      const row: FileRow | undefined = store.query(filesTable.where({ id }).first());
      if (row === undefined) continue;
      const theirs = remote.get(id);
      if (theirs === undefined) {
        events.push(fileSyncEvents.fileCreated({ id, name: row.name, type: row.type, size: row.size, hash: row.hash, createdAt: row.createdAt }));
      } else if (theirs.hash !== row.hash) continue;
      if (row.remoteKey !== null && !theirs?.uploaded) {
        events.push(fileSyncEvents.fileUploaded({ id, hash: row.hash, remoteKey: row.remoteKey, uploadedAt: row.updatedAt }));
      }
      if (row.deletedAt !== null && !theirs?.deleted) events.push(fileSyncEvents.fileDeleted({ id, deletedAt: row.deletedAt }));
    }
    if (events.length > 0) store.commit(...events);
  }

  async #ask(digest: string): Promise<ManifestResponse | undefined> {
    const { endpoint, storeId, token } = this.#options;
    const url = new URL(manifestPath(storeId), endpoint);
    try {
      const headers = { authorization: `Bearer ${token()}`, [MANIFEST_DIGEST_HEADER]: digest };
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) return undefined;
      return (await response.json()) as ManifestResponse;
    } catch {
      return undefined;
    }
  }
}

/**
 * One side of the comparison: since when its count of missing files has been above zero without coming down
 * (`Infinity` while it is zero or coming down), and when it was last nudged (sent again, reconnected).
 */
class SideProgress {
  #stuckSince = Infinity;
  #last = 0;
  #nudgedAt = -Infinity;

  get stuckSince(): number {
    return this.#stuckSince;
  }

  note(count: number, now: number): void {
    if (count === 0) this.reset();
    else if (this.#stuckSince === Infinity || count < this.#last) this.#stuckSince = now;
    this.#last = count;
  }

  /** Stuck for `after` and not nudged for as long: true once, then not again before `after` has passed. */
  nudgeDue(now: number, after: number): boolean {
    if (now - this.#stuckSince < after || now - this.#nudgedAt < after) return false;
    this.#nudgedAt = now;
    return true;
  }

  reset(): void {
    this.#stuckSince = Infinity;
    this.#last = 0;
    this.#nudgedAt = -Infinity;
  }
}
