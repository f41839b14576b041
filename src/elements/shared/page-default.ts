/**
 * A page-wide default store for elements outside any `<ls-file-sync>`: a CMS template can drop a single
 * `<ls-file-upload>` or `<ls-file-image>` anywhere once the page has called `configure({...})`.
 */
import { Observable, acquireFileSync, type FileSyncLease, type ReadonlyObservable } from '../../core/for-elements.js';
import type { FileSyncConnection } from './context.js';

export interface PageConfig {
  readonly endpoint: string;
  readonly storeId: string;
  readonly token: string;
}

const connection = new Observable<FileSyncConnection>({ kind: 'idle' });
let lease: { key: string; lease: FileSyncLease } | undefined;

/** Sets the store that elements outside any `<ls-file-sync>` use. Calling it again with a new token refreshes it. */
export function configure(config: PageConfig): void {
  const key = `${config.endpoint}\u0000${config.storeId}`;
  if (lease?.key === key) {
    void lease.lease.sync.then((sync) => sync.setToken(config.token));
    return;
  }
  lease?.lease.release();
  const next = acquireFileSync(config);
  lease = { key, lease: next };
  connection.set({ kind: 'opening' });
  next.sync.then(
    (sync) => lease?.lease === next && connection.set({ kind: 'ready', sync }),
    (error: unknown) => lease?.lease === next && connection.set({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

export const pageDefault: ReadonlyObservable<FileSyncConnection> = connection;
