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

/** What the page says, as the user reads it: the status line and the note under it. */
const statusText = (page) => page.evaluate(() => document.querySelector('ls-sync-status').shadowRoot.textContent.replace(/\s+/g, ' ').trim());

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

test('in a Firefox private window (no private file system) the demo uploads a file that Chromium then shows, and says files are not kept there', async () => {
  const privateStore = `private-${Date.now().toString(36)}`;
  const { page: firefox } = await world.openProfile('firefox-private', privateStore, 'firefox', { privateWindow: true });
  const refused = await firefox.evaluate(() => navigator.storage.getDirectory().then(() => null, (e) => e.name));
  assert.ok(refused, 'this Firefox window refuses the private file system, as a private window does');
  assert.equal(await firefox.evaluate(() => document.querySelector('ls-file-sync').sync.storage), 'memory');
  await waitUntil(() => statusText(firefox), (t) => t.includes("Files aren't kept on this device in this window"), 'the private window says files are not kept');

  const saved = await addGeneratedFile(firefox, { size: 300_000, name: 'from-a-private-window.bin' });
  await waitForTile(firefox, saved.id, (t) => t.state === 'synced', 'the private window uploads its file');
  await waitUntil(() => status(firefox), (s) => s === 'synced', 'the private window says synced');

  const { page: chromium } = await world.openProfile('chromium-2', privateStore);
  await waitForTile(chromium, saved.id, (t) => t.state === 'synced', 'Chromium has the file of the private window', 60_000);
  assert.equal(await heldHash(chromium, saved.id), saved.hash, 'Chromium holds its bytes');
});
