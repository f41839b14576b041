// Plain LiveStore Node clients with files on disk and the kit's schema, for the tests of the project's patches
// that need no sync backend.
import { makeAdapter } from '@livestore/adapter-node';
import { createStorePromise } from '@livestore/livestore';
import { fileSyncEvents, fileSyncSchema } from '../../dist/server/schema.js';

/** Opens store `storeId` kept under `baseDirectory`, hands it to `use`, and shuts it down after. */
export async function withStore({ baseDirectory, storeId, clientId }, use) {
  const adapter = makeAdapter({ storage: { type: 'fs', baseDirectory }, clientId });
  const store = await createStorePromise({ adapter, schema: fileSyncSchema, storeId, disableDevtools: true });
  try {
    return await use(store);
  } finally {
    await store.shutdownPromise();
  }
}

/**
 * Commits files `from` to `from + count - 1` and waits until the leader holds them (its head is the event
 * count). `oneTaskEach`: each commit in a task of its own, so that the session pushes them one at a time.
 */
export async function commitFiles(store, from, count, { oneTaskEach = false, waitMs = 10_000 } = {}) {
  for (let i = from; i < from + count; i++) {
    const id = `file-${i}`;
    store.commit(fileSyncEvents.fileCreated({ id, name: id, type: 'text/plain', size: 1, hash: 'a'.repeat(64), createdAt: i }));
    if (oneTaskEach) await new Promise((r) => setImmediate(r));
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { leader } = await store._dev.syncStates();
    if (leader.localHead.global >= from + count) return;
    if (Date.now() > deadline) throw new Error(`the leader held ${leader.localHead.global} of ${from + count} events after ${waitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
