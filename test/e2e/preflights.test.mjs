// A page of another origin than the backend's asks its leave (a CORS preflight) before a request with a token;
// the browser keeps the answer, but only for the same URL, and Chromium does not use it for a request that
// bypasses its HTTP cache (Firefox asked before each download too). On a real network each preflight is a
// round trip before the request: a device must ask once, not before every upload, download and check of
// the backend's manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addGeneratedFile, startWorld, waitUntil } from './support.mjs';

/** The requests the local backend logged after the first `from` characters of its log (`[wrangler:info] <METHOD> <path> …`). */
const requestsSince = (backend, from) =>
  backend
    .output()
    .slice(from)
    .split('\n')
    .map((line) => /\[wrangler:info\] ([A-Z]+) (\S+)/.exec(line))
    .filter((match) => match !== null && match[2].startsWith('/api/'))
    .map(([, method, path]) => `${method} ${path}`);

const kindOf = (page, id) => page.evaluate((id) => document.querySelector('ls-file-sync').sync.file(id)?.state.kind ?? null, id);

for (const engine of ['chromium', 'firefox']) {
  test(`${engine}: once a device has asked the backend leave, its uploads, downloads and manifest checks go without a preflight`, async () => {
    const world = await startWorld();
    const storeId = `preflights-${engine}-${Date.now().toString(36)}`;
    try {
      const { page: a } = await world.openProfile('a', storeId, engine);
      const { page: b } = await world.openProfile('b', storeId, engine);
      // Each profile asks once: A for its first upload, B for its first download, both for the manifest.
      const first = await addGeneratedFile(a, { size: 50_000, name: 'first.bin' });
      await waitUntil(() => kindOf(a, first.id), (kind) => kind === 'synced', 'A uploading the first file');
      await waitUntil(() => kindOf(b, first.id), (kind) => kind === 'synced', 'B downloading the first file');

      const mark = world.backend.output().length;
      const files = [];
      for (let i = 0; i < 5; i++) files.push(await addGeneratedFile(a, { size: 50_000 + i, name: `file-${i}.bin` }));
      for (const { id } of files) {
        await waitUntil(() => kindOf(a, id), (kind) => kind === 'synced', `A uploading ${id}`);
        await waitUntil(() => kindOf(b, id), (kind) => kind === 'synced', `B downloading ${id}`);
      }
      // Both devices check the manifest before they say "synced"; the log has every answer once it is sent.
      const isTransfer = (r) => /^(PUT|POST|GET) \/api\/stores\/[^/]+\/file$/.test(r);
      const requests = await waitUntil(
        async () => requestsSince(world.backend, mark),
        (logged) => logged.filter(isTransfer).length >= 10 && logged.filter((r) => r.endsWith('/manifest')).length >= 2,
        'five uploads, five downloads and a manifest check in the backend log',
        15_000,
      );
      assert.deepEqual(requests.filter((r) => r.startsWith('OPTIONS')), [], `no preflight among ${requests.length} requests`);
    } finally {
      await world.close();
    }
  });
}
