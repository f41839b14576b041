// A leader whose state database is behind its own event log rebuilds it at boot (the project's patch of
// @livestore/common, patches/, docs/reliability.md). The fault is injected on purpose: the state database's file
// is put back to an older copy while the event log keeps every event, which is what a device showed after
// reloads in the chaos run (84 file records in the state, 161 in the event log). Plain LiveStore Node clients
// with files on disk and the kit's schema; no sync backend is needed for it.
import { queryDb } from '@livestore/livestore';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { filesTable } from '../../dist/server/schema.js';
import { commitFiles, withStore as withDiskStore } from './disk-store.mjs';

const storeId = 'state-behind-eventlog';
const withStore = (baseDirectory, use) => withDiskStore({ baseDirectory, storeId, clientId: 'node-reverted' }, use);

const ids = (store) => store.query(queryDb(filesTable)).map((f) => f.id).sort();

test('a state database put back to an older copy (fault injected on purpose) is rebuilt from the event log at boot', { timeout: 60_000 }, async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ls-state-behind-'));
  try {
    const dir = path.join(base, storeId);
    await withStore(base, async (store) => commitFiles(store, 0, 10));
    const stateFile = readdirSync(dir).find((f) => f.startsWith('state') && f.endsWith('.db'));
    assert.ok(stateFile, `no state database among ${readdirSync(dir).join(', ')}`);
    copyFileSync(path.join(dir, stateFile), path.join(base, 'older-state.db'));

    await withStore(base, async (store) => commitFiles(store, 10, 15));
    copyFileSync(path.join(base, 'older-state.db'), path.join(dir, stateFile));

    const held = await withStore(base, async (store) => ids(store));
    assert.equal(held.length, 25, `the store shows ${held.length} of the 25 files its event log holds`);

    // The rebuilt state carries on: a later commit and another boot keep all of them.
    await withStore(base, async (store) => commitFiles(store, 25, 1));
    assert.equal((await withStore(base, async (store) => ids(store))).length, 26);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
