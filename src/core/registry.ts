/**
 * One FileSync per store and endpoint on a page, shared by every element that names it and closed when the
 * last one lets go. Two `<ls-file-sync>` tags for the same store therefore share one store and one queue.
 */
import type { FileSync, FileSyncOptions } from './file-sync.js';

interface Entry {
  readonly sync: Promise<FileSync>;
  users: number;
}

const entries = new Map<string, Entry>();

const keyOf = (options: FileSyncOptions) => `${options.endpoint}\u0000${options.storeId}\u0000${options.storage ?? 'auto'}`;

export interface FileSyncLease {
  readonly sync: Promise<FileSync>;
  release(): void;
}

export function acquireFileSync(options: FileSyncOptions): FileSyncLease {
  const key = keyOf(options);
  let entry = entries.get(key);
  if (entry === undefined) {
    // Loaded here, with the first store opened: a page draws the elements before LiveStore arrives.
    const sync = import('./file-sync.js').then(({ FileSync }) => FileSync.open(options));
    entry = { sync, users: 0 };
    entries.set(key, entry);
    // A store that failed to open, or that LiveStore stopped, is not kept: the next acquire opens it again.
    const forget = (held: Entry) => entries.get(key) === held && entries.delete(key);
    const opened = entry;
    sync.then(
      (open) => open.stopped.subscribe((reason) => reason !== undefined && forget(opened)),
      () => forget(opened),
    );
  } else {
    void entry.sync.then((sync) => {
      if (sync.token !== options.token) sync.setToken(options.token);
    });
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    sync: held.sync,
    release: () => {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      // Let a re-render that releases and re-acquires in one task keep the store open.
      setTimeout(() => {
        if (held.users > 0) return;
        // Closed even when no longer registered (LiveStore stopped it): its leadership and sockets go with it.
        if (entries.get(key) === held) entries.delete(key);
        void held.sync.then((sync) => sync.close()).catch(() => {});
      }, 0);
    },
  };
}
