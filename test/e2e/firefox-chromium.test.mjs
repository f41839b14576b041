// End to end across engines: a Firefox profile and a Chromium profile on the built demo page, one store, the
// real worker under workerd. What each saves shows on the other, verified against its content hash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, addGeneratedFile, waitForTile, waitUntil } from './support.mjs';

const storeId = `engines-${Date.now().toString(36)}`;
let world;

before(async () => {
  world = await startWorld();
});
after(() => world?.close());

/** The content hash a page's core holds for a file it has on its device, computed from its bytes. */
const heldHash = (page, id) =>
  page.evaluate(async (id) => {
    const file = await document.querySelector('ls-file-sync').sync.getFile(id);
    return file ? window.contentHashOfBytes(await file.arrayBuffer()) : null;
  }, id);

const status = (page) => page.evaluate(() => document.querySelector('ls-sync-status').getAttribute('status'));

test('a file saved in Firefox shows in Chromium and one saved in Chromium shows in Firefox, each with its bytes, both synced', async () => {
  const { page: firefox } = await world.openProfile('firefox', storeId, 'firefox');
  const { page: chromium } = await world.openProfile('chromium', storeId);

  const fromFirefox = await addGeneratedFile(firefox, { size: 300_000, name: 'from-firefox.bin' });
  const fromChromium = await addGeneratedFile(chromium, { size: 300_000, name: 'from-chromium.bin' });
  await waitForTile(firefox, fromFirefox.id, (t) => t.state === 'synced', 'Firefox uploads its file');
  await waitForTile(chromium, fromChromium.id, (t) => t.state === 'synced', 'Chromium uploads its file');
  await waitForTile(chromium, fromFirefox.id, (t) => t.state === 'synced', "Chromium has Firefox's file", 60_000);
  await waitForTile(firefox, fromChromium.id, (t) => t.state === 'synced', "Firefox has Chromium's file", 60_000);

  assert.equal(await heldHash(chromium, fromFirefox.id), fromFirefox.hash, "Chromium holds Firefox's bytes");
  assert.equal(await heldHash(firefox, fromChromium.id), fromChromium.hash, "Firefox holds Chromium's bytes");
  await waitUntil(() => status(firefox), (s) => s === 'synced', 'Firefox says synced');
  await waitUntil(() => status(chromium), (s) => s === 'synced', 'Chromium says synced');
});
