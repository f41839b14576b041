// One transferring tab per browser profile, and uploads and image descriptions that survive a reload,
// through the built demo page. The proxy in front of the backend stalls requests on purpose (a slow network, injected).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { devToken } from '../../scripts/backend.mjs';
import { startWorld, addGeneratedFile, isLeader, openDemo, tile, waitForTile, waitUntil, within } from './support.mjs';
import { contentHash } from '../support/content-hash.mjs';

let world;
before(async () => {
  world = await startWorld({ proxied: true });
});
after(() => world?.close());

const putsOf = (id, suffix = '') => world.proxy.report().log.filter((e) => e.method === 'PUT' && e.path.includes(`/files/${id}/`) && e.path.endsWith(suffix));

test('two tabs of one profile: one leader transfers; when it closes, the other takes over and finishes', async () => {
  const storeId = `tabs-${Date.now().toString(36)}`;
  const { browser, page: first } = await world.openProfile('tabs', storeId);
  const second = await world.openPage(browser, storeId, 'second');
  await waitUntil(async () => [await isLeader(first), await isLeader(second)], (l) => l.filter(Boolean).length === 1, 'one leader');
  const [leader, follower] = (await isLeader(first)) ? [first, second] : [second, first];

  // The leader's upload hangs; the file was added in the other tab, which can save but not transfer.
  world.proxy.setRules([{ method: 'PUT', path: '/files/', action: 'stall', ms: 60_000, times: 1 }]);
  const added = await addGeneratedFile(follower, { size: 200_000, name: 'from-follower.bin' });
  await waitForTile(leader, added.id, (t) => t.state === 'uploading', 'the leader tab uploads the follower tab’s file');
  await waitForTile(follower, added.id, (t) => t.state === 'uploading', 'the follower shows the leader’s progress');
  // The tile says "uploading" as the upload starts, a moment before its request reaches the backend.
  await waitUntil(() => putsOf(added.id).length, (n) => n >= 1, 'the leader’s upload reaching the backend');
  assert.equal(putsOf(added.id).length, 1, 'one upload, not one per tab');
  assert.equal(await isLeader(follower), false);

  await leader.close();
  await waitUntil(() => isLeader(follower), Boolean, 'the remaining tab becomes the leader');
  await waitForTile(follower, added.id, (t) => t.state === 'synced', 'the new leader finishes the upload', 30_000);
  assert.equal(putsOf(added.id).filter((e) => e.status === 201).length, 1, 'stored once');
});

test('two tabs of one profile: the tab whose worker leads LiveStore opens its store again, and both tabs go on syncing', async () => {
  world.proxy.reset();
  const storeId = `reopen-${Date.now().toString(36)}`;
  const { browser, page: first } = await world.openProfile('reopen', storeId);
  const second = await world.openPage(browser, storeId, 'second');
  // Both tabs synced: each one's live requests to LiveStore's leader (its pull) are under way, as on any page.
  for (const [name, page] of [['first', first], ['second', second]]) {
    await waitUntil(() => page.evaluate(() => document.querySelector('ls-file-sync').sync.summary.get().status), (status) => status === 'synced', `the ${name} tab synced`);
  }
  // The first tab opened the store alone, so its worker leads LiveStore for the profile. Its store closes and
  // opens again as when the app re-renders <ls-file-sync> (and as the element does itself after LiveStore
  // stopped a store): the profile's shared worker used to close then (the requests of the tab that left
  // mixed up with the other tab's, patches/README.md), and both tabs waited for good.
  await first.evaluate(
    () =>
      new Promise((resolve) => {
        const element = document.querySelector('ls-file-sync');
        const [parent, next] = [element.parentNode, element.nextSibling];
        element.remove();
        setTimeout(() => resolve(parent.insertBefore(element, next) && undefined), 0);
      }),
  );
  await within(first.evaluate(() => document.querySelector('ls-file-sync').ready.then(() => undefined)), 60_000, 'the first tab opening its store again');
  const saved = [
    await within(addGeneratedFile(first, { size: 3000, name: 'first.bin' }), 30_000, 'saving in the first tab'),
    await within(addGeneratedFile(second, { size: 3000, name: 'second.bin' }), 30_000, 'saving in the second tab'),
  ];
  for (const [name, page] of [['first', first], ['second', second]]) {
    for (const { id } of saved) await waitForTile(page, id, (t) => t.state === 'synced', `the ${name} tab showing ${id} synced`);
  }
});

test('a reload in the middle of a multipart upload resumes at the next missing part', async () => {
  const storeId = `resume-${Date.now().toString(36)}`;
  world.proxy.reset();
  const { page } = await world.openProfile('resume', storeId);
  // Parts 3-5 of 5 hang; parts 1 and 2 are acknowledged, then the page reloads.
  world.proxy.setRules([{ method: 'PUT', path: '/parts/[345]$', action: 'stall', ms: 120_000 }]);
  const added = await addGeneratedFile(page, { size: 40 * 1024 * 1024, name: 'large.bin' });
  await waitUntil(() => putsOf(added.id).filter((e) => e.status === 200).length, (n) => n >= 2, 'two parts acknowledged', 60_000);
  // Acknowledged parts are recorded at most a second apart; then the leader worker has a moment to store them.
  const recorded = (id) =>
    page.evaluate((id) => document.querySelector('ls-file-sync').sync.store.query({ query: 'SELECT partNumber FROM upload_parts WHERE fileId = ?', bindValues: [id] }).length, id);
  await waitUntil(() => recorded(added.id), (n) => n >= 2, 'the page recording both acknowledged parts', 10_000);
  await new Promise((r) => setTimeout(r, 300));
  world.proxy.setRules([]);
  const reloadedAt = world.proxy.report().log.length;
  await openDemo(page, world.demo.url, storeId);
  await waitForTile(page, added.id, (t) => t.state === 'synced', 'the upload finishes after the reload', 90_000).catch(async (error) => {
    // Seen once in CI (the file still `local`): say what the page and the backend saw, for the next time.
    const seen = await page.evaluate((id) => {
      const sync = document.querySelector('ls-file-sync').sync;
      return { view: sync.file(id), summary: sync.summary.get(), leader: sync.isLeader.get() };
    }, added.id);
    const after = world.proxy.report().log.slice(reloadedAt).map((e) => `${e.method} ${e.path} ${e.status}`);
    throw new Error(`${error.message}\npage: ${JSON.stringify(seen)}\nrequests after the reload: ${JSON.stringify(after)}`);
  });

  const acknowledged = (n) => putsOf(added.id, `/parts/${n}`).filter((e) => e.status === 200).length;
  assert.deepEqual([1, 2, 3, 4, 5].map(acknowledged), [1, 1, 1, 1, 1], 'no acknowledged part was sent again');
  assert.equal(world.proxy.report().log.filter((e) => e.method === 'POST' && e.path.endsWith('/uploads')).length, 1, 'one multipart upload');

  const response = await fetch(`${world.backend.url}/api/stores/${storeId}/files/${added.id}/${added.hash}`, {
    headers: { authorization: `Bearer ${await devToken(storeId)}` },
  });
  assert.equal(contentHash(Buffer.from(await response.arrayBuffer())), added.hash);
  assert.ok((await tile(page, added.id)).state === 'synced');
});

test('an image saved just before a reload is still described for other devices (its size and preview) after it', async () => {
  const storeId = `describe-${Date.now().toString(36)}`;
  world.proxy.reset();
  const { page } = await world.openProfile('describe', storeId);
  const id = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(6, 4);
    const context = canvas.getContext('2d');
    context.fillStyle = '#0a0';
    context.fillRect(0, 0, 6, 4);
    const file = new File([await canvas.convertToBlob({ type: 'image/png' })], 'green.png', { type: 'image/png' });
    const [view] = await document.querySelector('ls-file-upload').addFiles([file]);
    return view.id;
  });
  // At once: an image is described a second after it is saved, so the page that saved it does not.
  await openDemo(page, world.demo.url, storeId);
  const described = await waitUntil(
    () => page.evaluate((id) => document.querySelector('ls-file-sync').sync.file(id), id),
    (view) => view?.preview != null,
    'a description after the reload',
  );
  assert.deepEqual([described.width, described.height], [6, 4]);
  assert.match(described.preview, /^data:image\/jpeg;base64,/);
});
