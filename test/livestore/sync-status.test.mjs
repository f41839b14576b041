// A session's sync status (the project's patches of @livestore/common and @livestore/livestore,
// patches/README.md). In 0.4.0 every sync state a session reached went into one queue that only a subscriber
// ever emptied: kept for the session's whole life when nobody listened, handed to the next subscriber oldest
// first (a status from long before it subscribed, "synced" among them), and split between two subscribers.
// (The orderly shutdown's hand-over is checked in the browser, test/browser/store.test.ts: here the leader
// runs in the session's own thread and takes its commits before any shutdown.) Plain LiveStore Node clients
// with files on disk and the kit's schema; no sync backend is needed for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { commitFiles, withStore } from './disk-store.mjs';

const headOf = (status) => Number(status.localHead.replace(/^e/, '').split('.')[0]);

/** Subscribes to the store's sync status and collects what it is told until `done` says so, or fails saying what it saw. */
function statusesUntil(store, done, what) {
  const seen = [];
  return new Promise((resolve, reject) => {
    let unsubscribe;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`no status ${what} within 10 s; told: ${seen.map((s) => `${s.localHead}/${s.pendingCount}`).join(' ')}`));
    }, 10_000);
    unsubscribe = store.subscribeSyncStatus((status) => {
      seen.push(status);
      if (!done(status)) return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      resolve(seen);
    });
  });
}

test('every subscriber of the sync status hears the current status and what follows, never an older one', { timeout: 60_000 }, async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ls-sync-status-'));
  try {
    await withStore({ baseDirectory: base, storeId: 'sync-status', clientId: 'node-status' }, async (store) => {
      await commitFiles(store, 0, 30, { oneTaskEach: true });
      const before = headOf(store.syncStatus());
      assert.equal(before, 30);

      const last = before + 5;
      const heldAll = (status) => status.isSynced && headOf(status) >= last;
      const first = statusesUntil(store, heldAll, `synced at e${last}`);
      const second = statusesUntil(store, heldAll, `synced at e${last}`);
      await commitFiles(store, before, 5, { oneTaskEach: true });

      for (const [name, finished] of [['first', first], ['second', second]]) {
        const seen = await finished;
        const heads = seen.map(headOf);
        assert.ok(heads.every((head) => head >= before), `the ${name} subscriber was told of a status from before it subscribed (heads ${heads.join(' ')})`);
        assert.deepEqual(heads, [...heads].sort((a, b) => a - b), `the ${name} subscriber's statuses went back in time (heads ${heads.join(' ')})`);
      }
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
