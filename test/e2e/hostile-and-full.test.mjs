// Hostile content and a full disk, through the built demo in Chromium against the real backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { devToken } from '../../scripts/backend.mjs';
import { startWorld, waitUntil } from './support.mjs';

let world;
let browser;
let page;
const storeId = `hostile-${Date.now().toString(36)}`;

before(async () => {
  world = await startWorld();
  ({ browser, page } = await world.openProfile('hostile', storeId));
});
after(() => world?.close());

/** Saves text as a file through the page's upload control; returns the file id. */
const save = (name, type, text) =>
  page.evaluate(
    async (name, type, text) => {
      const upload = document.querySelector('ls-file-upload');
      upload.accept = '';
      const [view] = await upload.addFiles([new File([text], name, { type })]);
      return view.id;
    },
    name,
    type,
    text,
  );

/** A script that records that it ran, in every way it could reach the site: storage, cookies, the opener. */
const PAYLOAD = "try{localStorage.setItem('pwned','1')}catch{};try{document.cookie='pwned=1;path=/'}catch{};try{top.pwned=1}catch{};try{opener.pwned=1}catch{}";
const pwned = (p) => p.evaluate(() => localStorage.getItem('pwned') !== null || document.cookie.includes('pwned') || window.pwned !== undefined);

test('names with markup, control characters and right-to-left overrides render as text; a 10,000-character name is refused in words; all inside their box', async () => {
  const names = [
    `<img src=x onerror="${PAYLOAD}">.png`,
    '<script>alert(1)</script>.txt',
    'invoice\u202Egnp.exe',
    'bell\u0007tab\tesc\u001bnel\u0085.txt',
    `${'long-'.repeat(200)}.txt`,
  ];
  const ids = [];
  for (const name of names) ids.push(await save(name, 'text/plain', 'x'));
  assert.ok(ids.every(Boolean), 'every name within the limit is saved');
  // Names are kept to 1,024 characters: a longer one is refused with its reason, on screen, as text.
  const refused = await page.evaluate(async (name) => {
    const upload = document.querySelector('ls-file-upload');
    const saved = await upload.addFiles([new File(['x'], name, { type: 'text/plain' })]);
    await upload.updateComplete;
    return { saved: saved.length, shown: [...upload.shadowRoot.querySelectorAll('[part=rejection]')].map((el) => el.textContent) };
  }, `<b>${'n'.repeat(10_000)}</b>.txt`);
  assert.equal(refused.saved, 0);
  assert.match(refused.shown.join(' '), /<b>n+.*longer than 1024 characters/);

  // Each element that shows names: the upload's list and the gallery, looked through a screen at a time as
  // a user scrolls (the gallery renders the tiles near the viewport only, and a wrapped 1,000-character name
  // makes its rows tall).
  const shown = await page.evaluate(async (ids) => {
    const upload = document.querySelector('ls-file-upload');
    const gallery = document.querySelector('ls-file-gallery');
    const frames = async (n) => {
      for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
    };
    const uploadNames = [...upload.shadowRoot.querySelectorAll('[part=file-name]')].map((el) => el.textContent);
    const galleryNames = new Map();
    let injected = false;
    let widest = 0;
    for (let y = 0; ; y += innerHeight / 2) {
      scrollTo(0, y);
      await frames(3);
      for (const id of ids) {
        const name = gallery.shadowRoot.querySelector(`[data-file-id="${id}"] [part=name]`)?.textContent;
        if (name !== undefined) galleryNames.set(id, name);
      }
      injected ||= [upload, gallery].some((el) => el.shadowRoot.querySelector('img[src="x"], script, b'));
      widest = Math.max(widest, ...[upload, gallery].map((el) => el.scrollWidth - el.clientWidth));
      if (y + innerHeight >= document.documentElement.scrollHeight) break;
    }
    scrollTo(0, 0);
    return { uploadNames, galleryNames: [...galleryNames.values()], injected, widest };
  }, ids);
  assert.equal(shown.injected, false, 'no element made from a name');
  for (const name of names) {
    assert.ok(shown.uploadNames.includes(name), `upload list shows ${JSON.stringify(name.slice(0, 40))} as text`);
    assert.ok(shown.galleryNames.includes(name), `gallery shows ${JSON.stringify(name.slice(0, 40))} as text`);
  }
  assert.ok(shown.widest <= 1, `long names stay inside their box (overflow ${shown.widest}px)`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await pwned(page), false);
});

test('an uploaded HTML page and an SVG with script cannot run as pages of the site or of the backend', async () => {
  const html = await save('page.html', 'text/html', `<!doctype html><script>${PAYLOAD}</script><p>hi</p>`);
  const svg = await save('logo.svg', 'image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" onload="${PAYLOAD}"><script>${PAYLOAD}</script><rect width="10" height="10"/></svg>`);
  const hashes = await page.evaluate((ids) => ids.map((id) => document.querySelector('ls-file-sync').sync.file(id).hash), [html, svg]);
  await waitUntil(
    () => page.evaluate((ids) => ids.map((id) => document.querySelector('ls-file-sync').sync.file(id).state.kind), [html, svg]),
    (kinds) => kinds.every((k) => k === 'synced'),
    'both uploaded',
  );
  // The SVG shown by the gallery's <ls-file-image> (an <img>: no script runs there by design), the newest
  // tile, at the gallery's top: scrolled to, as the gallery renders only the tiles near the viewport.
  await waitUntil(
    () =>
      page.evaluate((id) => {
        const gallery = document.querySelector('ls-file-gallery');
        gallery.scrollIntoView();
        return gallery.shadowRoot.querySelector(`[data-file-id="${id}"] ls-file-image`)?.getAttribute('status');
      }, svg),
    (status) => status === 'ready' || status === 'failed',
    'the SVG tile',
  );
  // Opened as pages: from the site through the service worker, and from the backend directly.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
  const token = await devToken(storeId);
  for (const [id, hash] of [
    [html, hashes[0]],
    [svg, hashes[1]],
  ]) {
    const site = await browser.newPage();
    const response = await site.goto(`${world.demo.url}/files/${storeId}/${id}`);
    assert.match(response.headers()['content-security-policy'] ?? '', /sandbox/, 'the service worker serves stored files sandboxed');
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    await new Promise((r) => setTimeout(r, 300));
    await site.close();

    const backend = await browser.newPage();
    await backend.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
    const direct = await backend.goto(`${world.backend.url}/api/stores/${storeId}/files/${id}/${hash}`).catch((error) => error);
    // A download, not a page: Chromium either refuses to render it (attachment) or renders it sandboxed.
    if (!(direct instanceof Error)) assert.match(direct.headers()['content-security-policy'] ?? '', /sandbox/);
    await backend.close();
  }
  assert.equal(await pwned(page), false, 'no stored script reached the site');
});

test('storage full: a file that does not fit is refused with a clear error on the control; files already saved stay intact', async () => {
  const kept = await save('kept.txt', 'text/plain', 'saved before the disk filled up');
  const cdp = await page.createCDPSession();
  const origin = new URL(world.demo.url).origin;
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  // The origin's quota lowered to what it uses now plus 1 MB, through the DevTools protocol.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1024 * 1024 });
  try {
    const result = await page.evaluate(async () => {
      const upload = document.querySelector('ls-file-upload');
      const reasons = [];
      upload.addEventListener('ls-file-rejected', (event) => reasons.push(event.detail), { once: true });
      const bytes = new Uint8Array(8 * 1024 * 1024);
      const saved = await upload.addFiles([new File([bytes], 'too-big.bin', { type: 'application/octet-stream' })]);
      await upload.updateComplete;
      return {
        saved: saved.length,
        reason: reasons[0]?.reason,
        message: reasons[0]?.message,
        shown: [...upload.shadowRoot.querySelectorAll('[part=rejection]')].map((el) => el.textContent),
        listed: document.querySelector('ls-file-sync').sync.files.get().some((f) => f.name === 'too-big.bin'),
      };
    });
    assert.equal(result.saved, 0);
    assert.equal(result.reason, 'save-failed');
    assert.match(result.message, /too-big\.bin.*(storage|space|quota)/i);
    assert.ok(result.shown.some((text) => text.includes('too-big.bin')), 'the reason is on screen');
    assert.equal(result.listed, false, 'nothing half-saved is listed');
    const text = await page.evaluate(async (id) => (await document.querySelector('ls-file-sync').sync.getFile(id)).text(), kept);
    assert.equal(text, 'saved before the disk filled up');
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});
