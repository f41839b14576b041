import { ContextProvider } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { acquireFileSync, answerServiceWorker, registerServiceWorker, type FileSync, type FileSyncLease, type SyncSummary } from '../../core/for-elements.js';
import { LsReadyEvent, LsSyncErrorEvent } from '../events/events.js';
import { fileSyncContext, type FileSyncConnection } from '../shared/context.js';
import { parseSize } from '../shared/size.js';

/** How soon a store LiveStore stopped is opened again: after the first stop, the second, the third. */
const REOPEN_DELAYS_MS = [0, 5_000, 30_000];
const REOPEN_WINDOW_MS = 10 * 60_000;

/**
 * @summary Connects the elements inside it to one file store: where the backend is, which store, and the token.
 *
 * @slot - The kit's elements (and anything else): every `ls-*` element inside uses this store.
 *
 * @event {LsReadyEvent} ls-ready - The store is open on this device. `detail.sync` is the core's `FileSync`; `detail.storage` is
 * `device`, or `memory` where the browser keeps no files for the page (a private window). Fires again, with a new `FileSync`,
 * when the element opened the store again after LiveStore stopped it on its own.
 * @event {LsSyncErrorEvent} ls-sync-error - The store could not be opened, or `cache-budget` is not a size. `detail.error` says why.
 */
export class LsFileSync extends LitElement {
  static override properties = {
    endpoint: { reflect: true },
    storeId: { attribute: 'store-id', reflect: true },
    token: {},
    serviceWorker: { type: Boolean, attribute: 'service-worker' },
    serviceWorkerScope: { attribute: 'service-worker-scope' },
    cacheBudget: { attribute: 'cache-budget', reflect: true },
    storage: { reflect: true },
  };

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The backend's origin, e.g. `https://files.example.com`. */
  declare endpoint: string;
  /** The store to open: letters, digits, `_` and `-`. */
  declare storeId: string;
  /** An access token for the store, from the page's own backend. Changing it does not reopen the store. */
  declare token: string;
  /** Registers the kit's service worker so plain `<img src="/files/<store-id>/<file-id>">` tags work. */
  declare serviceWorker: boolean;
  /**
   * The scope to register the service worker for (default `/`). A scope above the kit's own folder needs the
   * header `Service-Worker-Allowed` on `service-worker.js`.
   */
  declare serviceWorkerScope: string;
  /**
   * The most bytes of files to keep on this device, e.g. `500MB` or `2GiB` (default: no limit). Over it,
   * files that are safe in remote storage leave the device, least recently shown first, and are fetched
   * again when shown. Files not uploaded yet always stay.
   */
  declare cacheBudget: string;
  /**
   * `auto` (default): files are kept on this device (OPFS), or in the tab's memory where the browser offers
   * no private file system (a private window). `memory`: always in memory, nothing kept after the tab closes
   * (a shared computer, say). Where they are: `ls-ready`'s `detail.storage`, or `sync.storage`. While files
   * kept in memory are not uploaded yet, leaving the page asks the user first.
   */
  declare storage: 'auto' | 'memory';

  constructor() {
    super();
    this.endpoint = '';
    this.storeId = '';
    this.token = '';
    this.serviceWorker = false;
    this.serviceWorkerScope = '/';
    this.cacheBudget = '';
    this.storage = 'auto';
  }

  readonly #provider = new ContextProvider(this, { context: fileSyncContext, initialValue: { kind: 'idle' } });
  #lease: FileSyncLease | undefined;
  #leaseKey = '';
  #stopAnswering: (() => void) | undefined;
  #given: FileSync | undefined;
  /** When LiveStore stopped the stores this element provided, in the last `REOPEN_WINDOW_MS`. */
  #stops: number[] = [];

  /**
   * The open core, once `ls-ready` has fired. Set it to a `FileSync` the page opened itself (for example with
   * its own LiveStore adapter) to provide that one instead: the attributes are then ignored, and the element
   * never closes what it was given.
   */
  get sync(): FileSync | undefined {
    const value = this.#provider.value;
    return value.kind === 'ready' ? value.sync : undefined;
  }

  set sync(sync: FileSync | undefined) {
    this.#close();
    this.#given = sync;
    if (!this.isConnected) return;
    if (sync === undefined) this.#open();
    else this.#provide(sync);
  }

  /** Resolves with the open core (waits for the attributes and the store to open). */
  get ready(): Promise<FileSync> {
    const current = this.#provider.value;
    if (current.kind === 'ready') return Promise.resolve(current.sync);
    return new Promise((resolve, reject) => {
      const onReady = (event: LsReadyEvent) => {
        cleanup();
        resolve(event.detail.sync);
      };
      const onError = (event: LsSyncErrorEvent) => {
        cleanup();
        reject(event.detail.error);
      };
      const cleanup = () => {
        this.removeEventListener('ls-ready', onReady);
        this.removeEventListener('ls-sync-error', onError);
      };
      this.addEventListener('ls-ready', onReady);
      this.addEventListener('ls-sync-error', onError);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#given) this.#provide(this.#given);
    else this.#open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#close();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('endpoint') || changed.has('storeId') || changed.has('token') || changed.has('storage')) {
      this.#open();
      if (this.token) this.sync?.setToken(this.token);
    }
    if (changed.has('cacheBudget')) this.#applyCacheBudget();
    if ((changed.has('serviceWorker') || changed.has('serviceWorkerScope')) && this.serviceWorker) {
      registerServiceWorker({ scope: this.serviceWorkerScope }).catch((error: unknown) => console.warn(`[ls-file-sync] ${String(error)}`));
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  #open(): void {
    const storage = this.storage === 'memory' ? 'memory' : 'auto';
    const key = `${this.endpoint}\u0000${this.storeId}\u0000${storage}`;
    if (this.#given || !this.isConnected || !this.endpoint || !this.storeId || !this.token) return;
    if (this.#lease && key === this.#leaseKey) return;
    this.#close();
    const lease = acquireFileSync({ endpoint: this.endpoint, storeId: this.storeId, token: this.token, storage });
    this.#lease = lease;
    this.#leaseKey = key;
    this.#set({ kind: 'opening' });
    lease.sync.then(
      (sync) => this.#lease === lease && this.#provide(sync),
      (error: unknown) => {
        if (this.#lease !== lease) return;
        const err = error instanceof Error ? error : new Error(String(error));
        this.#set({ kind: 'error', error: err });
        this.dispatchEvent(new LsSyncErrorEvent({ error: err }));
      },
    );
  }

  #provide(sync: FileSync): void {
    const stopAnswering = answerServiceWorker(sync);
    const stopWatching = this.#given ? () => {} : sync.stopped.subscribe((reason) => reason !== undefined && this.#reopen());
    const stopGuarding = sync.storage === 'memory' ? guardUnloadWhileHeld(sync) : () => {};
    this.#stopAnswering = () => {
      stopAnswering();
      stopWatching();
      stopGuarding();
    };
    this.#set({ kind: 'ready', sync });
    this.#applyCacheBudget();
    this.dispatchEvent(new LsReadyEvent({ sync, storage: sync.storage }));
  }

  /** Sets the budget on the open core; an empty attribute leaves the core's own setting alone. */
  #applyCacheBudget(): void {
    const sync = this.sync;
    if (!sync || this.cacheBudget.trim() === '') return;
    const bytes = parseSize(this.cacheBudget);
    if (bytes === undefined) {
      const error = new Error(`cache-budget "${this.cacheBudget}" is not a size (write it like 500MB or 2GiB)`);
      this.dispatchEvent(new LsSyncErrorEvent({ error }));
      return;
    }
    sync.setCacheBudget(bytes);
  }

  /**
   * LiveStore stopped the store on its own: open it again (the files saved meanwhile are on the device and in
   * its journal). Soon the first time, later the next; after three stops in ten minutes the status stays an
   * error that says to reload.
   */
  #reopen(): void {
    const now = Date.now();
    this.#stops = [...this.#stops.filter((at) => now - at < REOPEN_WINDOW_MS), now];
    const delay = REOPEN_DELAYS_MS[this.#stops.length - 1];
    if (delay === undefined) return;
    const lease = this.#lease;
    setTimeout(() => {
      if (this.#lease !== lease || !this.isConnected) return;
      this.#close();
      this.#open();
    }, delay);
  }

  #close(): void {
    this.#stopAnswering?.();
    this.#stopAnswering = undefined;
    this.#lease?.release();
    this.#lease = undefined;
    this.#leaseKey = '';
    this.#set({ kind: 'idle' });
  }

  #set(connection: FileSyncConnection): void {
    this.#provider.setValue(connection);
  }
}

/**
 * Files kept in memory are gone with the tab: while some are not uploaded yet, the browser asks before the
 * page is left (the words are the browser's own; a page cannot choose them).
 */
function guardUnloadWhileHeld(sync: FileSync): () => void {
  let summary: SyncSummary | undefined;
  const stop = sync.summary.subscribe((s) => (summary = s));
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if ((summary?.pendingUploads ?? 0) > 0 || (summary?.missingUpstream ?? 0) > 0) event.preventDefault();
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    stop();
    window.removeEventListener('beforeunload', onBeforeUnload);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-file-sync': LsFileSync;
  }
}
