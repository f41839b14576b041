/**
 * Whether this device is online, as the browser says, and whether LiveStore's sync connection is up, as its
 * network status says: what the views and the summary weigh before any request.
 */
import { Effect, Fiber, Stream } from 'effect';
import type { FileSyncStore } from '../store/store.js';

export interface ConnectivityListeners {
  /** The browser went online or offline. */
  readonly network: (online: boolean) => void;
  /** The sync connection went up or down; `cameUp` when it was down before. */
  readonly socket: (connected: boolean, cameUp: boolean) => void;
}

/** How long after the sync status stream ended it is asked for again. */
const RESUBSCRIBE_MS = 250;

export class Connectivity {
  #online = typeof navigator === 'undefined' ? true : navigator.onLine;
  #socketConnected = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(private readonly store: FileSyncStore) {}

  /** Tells `listeners` of every change from now on (the socket's state at once). */
  watch(listeners: ConnectivityListeners): void {
    if (typeof addEventListener === 'function') {
      const update = () => {
        this.#online = navigator.onLine;
        listeners.network(this.#online);
      };
      addEventListener('online', update);
      addEventListener('offline', update);
      this.#cleanups.push(() => {
        removeEventListener('online', update);
        removeEventListener('offline', update);
      });
    }
    const take = (isConnected: boolean) => {
      const wasConnected = this.#socketConnected;
      this.#socketConnected = isConnected;
      listeners.socket(isConnected, isConnected && !wasConnected);
    };
    // The status comes from LiveStore's leader, which runs in one of the profile's tabs: when that tab closes
    // or reloads, the stream ends (or fails) with it, so it is asked for again, of the next leader, as long
    // as this tab watches. (Had it ended for good, the last status before the leader left would stand.)
    const fiber = Effect.runFork(
      this.store.networkStatus.changes.pipe(
        Stream.runForEach((status) => Effect.sync(() => take(status.isConnected))),
        Effect.ignore,
        Effect.zipRight(Effect.sleep(RESUBSCRIBE_MS)),
        Effect.forever,
      ),
    );
    this.#cleanups.push(() => void Effect.runFork(Fiber.interrupt(fiber)));
  }

  get online(): boolean {
    return this.#online;
  }

  get socketConnected(): boolean {
    return this.#socketConnected;
  }

  close(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}
