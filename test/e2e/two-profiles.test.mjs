// End to end: the built kit on the demo page, the real worker under workerd, two separate Chromium profiles.
// Faults are real: the backend process is stopped and started again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { devToken } from '../../scripts/backend.mjs';
import { startWorld, openDemo, waitForTile } from './support.mjs';

const storeId = `e2e-${Date.now().toString(36)}`;
let world;

before(async () => {
  world = await startWorld();
});
after(() => world?.close());

test('an image added in one profile shows there at once, survives an offline reload, and appears in the other profile', async () => {
  const { page: a } = await world.openProfile('a', storeId);
  const { page: b } = await world.openProfile('b', storeId);

  // The backend goes down: A keeps working from OPFS.
  await world.backend.stop();
  const added = await a.evaluate(async () => {
    // About 1 MB: a 512x512 PNG of noise (noise does not compress).
    const canvas = new OffscreenCanvas(512, 512);
    const ctx = canvas.getContext('2d');
    const pixels = ctx.createImageData(512, 512);
    crypto.getRandomValues(pixels.data.subarray(0, 65536));
    for (let i = 65536; i < pixels.data.length; i += 65536) pixels.data.copyWithin(i, 0, 65536);
    for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
    for (let i = 0; i < pixels.data.length; i += 4093) pixels.data[i] = (i * 31) & 255;
    ctx.putImageData(pixels, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const hash = await window.contentHashOfBytes(await blob.arrayBuffer());
    const upload = document.querySelector('ls-file-upload');
    const [view] = await upload.addFiles([new File([blob], 'noise.png', { type: 'image/png' })]);
    return { id: view.id, hash, size: blob.size };
  });
  assert.ok(added.size > 500_000, `the image is large enough to matter (${added.size} bytes)`);

  const shownOffline = await waitForTile(a, added.id, (t) => t.image === 'ready', 'A shows its image while the backend is down');
  assert.notEqual(shownOffline.state, 'synced', 'shown before the upload finished');
  assert.equal(shownOffline.width, 512);
  assert.equal(await a.evaluate(() => document.querySelector('ls-sync-status').getAttribute('status')), 'offline');

  // Reload while the backend is still down: the file is still there, from this device.
  await openDemo(a, world.demo.url, storeId);
  const afterReload = await waitForTile(a, added.id, (t) => t.image === 'ready', 'A shows its image after an offline reload');
  assert.notEqual(afterReload.state, 'synced');

  // The backend comes back (same state directory, same port): A uploads, B downloads and shows it.
  await world.startBackend();
  await waitForTile(a, added.id, (t) => t.state === 'synced', 'A uploads once the backend is back');
  const started = Date.now();
  const onB = await waitForTile(b, added.id, (t) => t.image === 'ready', 'B shows the image');
  console.log(`B displayed the image ${Date.now() - started} ms after A's upload was confirmed`);
  assert.equal(onB.width, 512);

  const bHash = await b.evaluate(async (id) => {
    const file = await document.querySelector('ls-file-sync').sync.getFile(id);
    return window.contentHashOfBytes(await file.arrayBuffer());
  }, added.id);
  assert.equal(bHash, added.hash, 'B holds the same bytes');

  // A plain URL works too, through the service worker, from B's own copy: in fetch() and in an <img>.
  const viaServiceWorker = await b.evaluate(async (storeId, id) => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    const img = new Image();
    img.src = `/files/${storeId}/${id}`;
    await img.decode();
    const response = await fetch(`/files/${storeId}/${id}`);
    const hash = await window.contentHashOfBytes(await response.arrayBuffer());
    return {
      width: img.naturalWidth,
      status: response.status,
      type: response.headers.get('content-type'),
      source: response.headers.get('x-ls-file-source'),
      hash,
    };
  }, storeId, added.id);
  assert.deepEqual(viaServiceWorker, { width: 512, status: 200, type: 'image/png', source: 'local', hash: added.hash });
});

test('the backend refuses sync and file requests without a valid token for the store', async () => {
  const other = await devToken(`${storeId}-other`);
  const own = await devToken(storeId);
  const fileUrl = `${world.backend.url}/api/stores/${storeId}/files/f1/${'0'.repeat(64)}`;
  const syncUrl = (payload) => `${world.backend.url}/?storeId=${storeId}&transport=ws${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
  const offering = (token) => ({ 'sec-websocket-protocol': `ls-file-sync, ls-token.${token}` });
  // fetch() cannot send Upgrade headers: open the WebSocket handshake by hand and read the answer.
  const handshake = (url, extra = {}) =>
    new Promise((resolve, reject) => {
      const req = request(url, {
        headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...extra },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode, body: '', protocol: res.headers['sec-websocket-protocol'] });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });

  assert.equal((await fetch(fileUrl)).status, 401);
  assert.equal((await fetch(fileUrl, { headers: { authorization: `Bearer ${other}` } })).status, 403);
  assert.equal((await fetch(fileUrl, { headers: { authorization: 'Bearer not-a-token' } })).status, 401);
  assert.equal((await fetch(fileUrl, { headers: { authorization: `Bearer ${own}` } })).status, 404, 'a valid token gets through');

  const noToken = await handshake(syncUrl());
  assert.equal(noToken.status, 401);
  assert.equal(JSON.parse(noToken.body).error.code, 'token_missing');
  // Browsers cannot set Authorization on a WebSocket: the kit offers the token as a subprotocol.
  const viaProtocol = await handshake(syncUrl(), offering(own));
  assert.deepEqual([viaProtocol.status, viaProtocol.protocol], [101, 'ls-file-sync'], 'a valid token opens the sync socket');
  assert.equal((await handshake(syncUrl(), offering(other))).status, 403);
  // Never in the URL, where it would end up in logs: LiveStore's sync payload travels there.
  const inUrl = await handshake(syncUrl({ authToken: own }));
  assert.equal(inUrl.status, 401);
  assert.match(JSON.parse(inUrl.body).error.message, /token in the sync URL is refused/);
  assert.equal((await handshake(syncUrl({ authToken: own }), offering(own))).status, 401, 'refused even beside a valid subprotocol');
});
