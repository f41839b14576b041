// End to end: two writers at once. Two Chromium profiles of one store save small files one after another at
// the same time; profile A reloads in the middle and goes on saving. Then every file must be on both profiles
// and on a third profile opened afterwards, all saying "synced". Throughout, no profile may say "synced"
// while the backend's own log (its manifest) lacks one of that profile's records. (Two tabs of one profile
// writing while leadership moves between them do not pass yet: docs/reliability.md.)
// Not in `npm test` yet: it failed once in a fresh-clone `.ci/run` and 2 of 6 runs here (a reloaded leader's
// pull ended on its event log's unique key, since patched); after that fix it passed 3 of 3, too few runs to
// trust in CI. Run it with `npm run build && node --test test/e2e/two-writers.mjs` (E2E_CONSOLE=1 prints the
// pages' and workers' console).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { devToken } from '../../scripts/backend.mjs';
import { startWorld, openDemo, addGeneratedFile, waitUntil, watchSyncedClaims, syncStates } from './support.mjs';

const storeId = `writers-${Date.now().toString(36)}`;
let world;

before(async () => {
  world = await startWorld();
});
after(() => world?.close());

/** What a page says and which records it holds. */
const pageState = (page) =>
  page.evaluate(() => {
    const sync = document.querySelector('ls-file-sync').sync;
    return { status: sync.summary.get().status, ids: sync.files.get().map((f) => f.id) };
  });

async function backendIds() {
  const token = await devToken(storeId, ['read']);
  const response = await fetch(`${world.backend.url}/api/stores/${storeId}/manifest`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, 'the manifest answers');
  return new Set((await response.json()).files.map(([id]) => id));
}

test('two profiles writing at once, one reloaded in the middle: every file everywhere, and never a false "synced"', { timeout: 300_000 }, async () => {
  const a = await world.openProfile('a', storeId);
  const b = await world.openProfile('b', storeId);

  let falseSynced = [];
  const claims = watchSyncedClaims(world, storeId, [['A', a.page], ['B', b.page]]);

  try {
    const saved = [];
    const write = async (page, tag, count) => {
      for (let i = 0; i < count; i++) {
        saved.push((await addGeneratedFile(page, { size: 1500 + i, name: `${tag}-${i}.bin` })).id);
        await new Promise((r) => setTimeout(r, 60));
      }
    };
    const writingB = write(b.page, 'b', 25);
    await write(a.page, 'a', 12);
    // A goes away mid-write, with commits and uploads in flight, and comes back.
    await openDemo(a.page, world.demo.url, storeId);
    await write(a.page, 'a-reloaded', 13);
    await writingB;

    const allSynced = async (page) => {
      const state = await pageState(page);
      return { status: state.status, missing: saved.filter((id) => !state.ids.includes(id)).length };
    };
    const done = (s) => s.status === 'synced' && s.missing === 0;
    try {
      await waitUntil(() => allSynced(a.page), done, `profile A holds all ${saved.length} files and says synced`, 120_000);
      await waitUntil(() => allSynced(b.page), done, `profile B holds all ${saved.length} files and says synced`, 60_000);
    } catch (error) {
      for (const [name, page] of [['A', a.page], ['B', b.page]]) console.log(`${name}: ${await syncStates(page)}; ${JSON.stringify(await page.evaluate(() => document.querySelector('ls-file-sync').sync.summary.get()))}`);
      throw error;
    }
    const c = await world.openProfile('c', storeId);
    await waitUntil(() => allSynced(c.page), done, `a fresh profile C holds all ${saved.length} files and says synced`, 60_000);
    assert.equal((await backendIds()).size, saved.length, 'the backend holds every record once');
  } finally {
    falseSynced = await claims.stop();
  }
  assert.deepEqual(falseSynced, [], 'no profile said synced while the backend lacked one of its records or uploads');
});
