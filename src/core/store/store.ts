/** Opens the LiveStore store that holds the file records, persisted in OPFS with LiveStore's web adapter. */
import { makePersistedAdapter } from '@livestore/adapter-web';
import { createStorePromise, makeShutdownDeferred, type Adapter, type Store } from '@livestore/livestore';
import { Cause, Deferred, Effect, Exit } from 'effect';
import { kitAssetUrls } from '../workers/assets.js';
import { FileSyncError } from '../errors.js';
import { ID_PATTERN } from '../wire.js';
import { fileSyncSchema, type FileSyncSchema } from './schema.js';
import { receiveTokens } from './token-relay.js';
import { offerToken } from './token-socket.js';

export type FileSyncStore = Store<FileSyncSchema>;

export interface OpenedStore {
  readonly store: FileSyncStore;
  /**
   * Resolves, saying why, once the store has shut down: after `store.shutdown()`, or when LiveStore stopped it
   * on its own (its worker failed, another tab reset it). A stopped store commits and syncs nothing more.
   */
  readonly stopped: Promise<string>;
}

export interface OpenStoreOptions {
  readonly storeId: string;
  /** The backend's HTTP origin; the sync WebSocket URL is derived from it. Omit for a local-only store. */
  readonly endpoint?: string;
  readonly token?: string;
  /**
   * Replace the persisted OPFS adapter (for example `makeInMemoryAdapter()` in tests and stories). Its sync
   * sockets, opened in this realm, get the token in their subprotocol (token-socket.ts).
   */
  readonly adapter?: Adapter;
}

export function syncUrlOf(endpoint: string): string {
  const url = new URL(endpoint);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString().replace(/\/+$/, '');
}

export function makeWebAdapter(endpoint: string | undefined, storeId: string): Adapter {
  const assets = kitAssetUrls();
  const leader = new URL(assets.leaderWorker);
  if (endpoint) {
    leader.searchParams.set('sync', syncUrlOf(endpoint));
    leader.searchParams.set('store', storeId);
  }
  return makePersistedAdapter({
    storage: { type: 'opfs' },
    worker: ({ name }) => new Worker(leader, { type: 'module', name }),
    sharedWorker: ({ name }) => new SharedWorker(assets.sharedWorker, { type: 'module', name }),
  });
}

export async function openStore({ storeId, endpoint, token, adapter }: OpenStoreOptions): Promise<OpenedStore> {
  if (!ID_PATTERN.test(storeId)) {
    throw new FileSyncError('invalid_store_id', `store-id "${storeId}" must be 1-128 letters, digits, "_" or "-"`);
  }
  const open = async (attemptAdapter: Adapter): Promise<OpenedStore> => {
    const shutdown = Effect.runSync(makeShutdownDeferred);
    const store = await withinOpenLimit(createStorePromise({
      schema: fileSyncSchema,
      adapter: attemptAdapter,
      storeId,
      // Everything is persisted in OPFS before it is committed: leaving the page loses nothing.
      confirmUnsavedChanges: false,
      disableDevtools: true,
      shutdownDeferred: shutdown,
    }));
    const stopped = Effect.runPromise(Deferred.await(shutdown).pipe(Effect.exit)).then((exit) =>
      Exit.isSuccess(exit) ? `shut down (${exit.value.reason})` : `stopped by an error: ${Cause.pretty(exit.cause)}`,
    );
    return { store, stopped };
  };
  if (adapter) {
    // The kit's own leader worker gets the token from the pages (token-relay.ts); a custom adapter syncs from
    // this realm, where the same relay answers (a refreshed token included), and never in the sync URL.
    const tokens = receiveTokens(storeId, () => {});
    const withdraw = endpoint ? offerToken(syncUrlOf(endpoint), storeId, () => tokens.current() ?? token) : () => {};
    const opened = await open(adapter).catch((error: unknown) => {
      withdraw();
      throw error;
    });
    void opened.stopped.then(() => {
      withdraw();
      tokens.close();
    });
    return opened;
  }
  // Right after a reload, the page before may still hold LiveStore's files in OPFS for a moment: opening
  // then fails ("NotReadableError: The requested file could not be read", seen in the chaos run), and a
  // fresh attempt a little later succeeds. A store that still cannot open fails with the last error.
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(makeWebAdapter(endpoint, storeId));
    } catch (error) {
      const delay = OPEN_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !isBusyStorage(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const OPEN_RETRY_DELAYS_MS = [500, 1500, 3000];

/** A store that has not opened by then is not waited for (its browser lacks something LiveStore waits on). */
const OPEN_LIMIT_MS = 60_000;

/** `opening`, or a clear failure once it has taken too long; a store that opens after that is shut down again. */
function withinOpenLimit(opening: Promise<FileSyncStore>): Promise<FileSyncStore> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late = false;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new FileSyncError('open_timeout', `The file store did not open within ${OPEN_LIMIT_MS / 1000} s in this browser`));
    }, OPEN_LIMIT_MS);
  });
  void opening.then((store) => (late ? store.shutdownPromise() : undefined)).catch(() => {});
  return Promise.race([opening, limit]).finally(() => clearTimeout(timer));
}

/** An error of OPFS files held elsewhere for now (LiveStore wraps it: its text is all there is to read). */
function isBusyStorage(error: unknown): boolean {
  const text = [error, (error as { cause?: unknown } | null)?.cause].map((e) => (e instanceof Error ? `${e.name} ${e.message}` : String(e))).join(' ');
  return /NotReadableError|NoModificationAllowedError|could not be read|spawning a worker/.test(text);
}
