/**
 * The store of a tab that keeps files in memory (storage/storage-mode.ts): LiveStore in the page, in memory,
 * syncing with the backend itself. The tab is then a device of its own: another tab of the same window
 * holds other bytes in its own memory, so it must not be the one that uploads them. Loaded only then.
 */
import { makeInMemoryAdapter } from '@livestore/adapter-web';
import type { Adapter } from '@livestore/livestore';
import { makeWsSync } from '@livestore/sync-cf/client';
import { syncUrlOf } from './store.js';

export function memoryAdapter(endpoint: string | undefined): Adapter {
  return makeInMemoryAdapter(endpoint ? { sync: { backend: makeWsSync({ url: syncUrlOf(endpoint) }) } } : {});
}
