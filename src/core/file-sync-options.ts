/** What `FileSync.open` takes, and what its save commands take and give back. */
import type { Adapter } from '@livestore/livestore';
import type { FileView } from './views/state.js';
import type { RetryPolicy } from './transfers/transfer-queue.js';
import type { MultipartOptions } from './transfers/uploader.js';
import type { UpstreamTiming } from './sync/upstream-check.js';

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
   * How often the backend's records are compared with this device's, and how long a difference may last
   * before the sync counts as stopped (defaults in `sync/upstream-check.ts`: a minute). Tests shorten it.
   */
  readonly upstreamTiming?: Partial<UpstreamTiming>;
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
  /**
   * Where files are kept on this device. `auto` (default): in OPFS, kept across visits, unless the browser
   * offers no private file system (a private window, storage turned off, a quota of zero): then in the tab's
   * memory. `memory`: always in the tab's memory (a shared computer, say). In memory, the store is this tab's
   * alone, files are there until the tab closes, and `FileSync.storage` says `memory`; see the README.
   */
  readonly storage?: 'auto' | 'memory';
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
