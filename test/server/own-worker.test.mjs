// The README's worker of one's own, taken from the README as written and run under workerd: the kit's pieces
// mounted beside a route of the user's, answering every request a device of the kit makes. The kit once moved
// its transfers to a route this example did not answer, and no test said so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, devToken } from '../../scripts/backend.mjs';
import { contentHash, sha256 } from '../support/content-hash.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'ls-own-worker-'));
const store = 'own-worker';
let backend;

/** The README's example under "Mounting the pieces in your own worker", its import pointed at this build. */
function readmeWorker() {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Mounting the pieces in your own worker'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, "the README's section has its example");
  const built = path.join(root, 'dist/server/index.js');
  assert.ok(code.includes("'livestore-file-sync-elements/dist/server/index.js'"), 'the example imports the published pieces');
  return `${code.replace("'livestore-file-sync-elements/dist/server/index.js'", JSON.stringify(built))}
function yourOwnRoutes() {
  return new Response('yours', { status: 404 });
}
`;
}

before(async () => {
  const main = path.join(work, 'worker.ts');
  writeFileSync(main, readmeWorker());
  // The example has no `/health`: its 404 says the worker answers.
  backend = await startBackend({ port: 0, persistTo: path.join(work, 'state'), main, healthy: false });
});
after(async () => {
  await backend?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("the README's own worker answers a device's uploads and downloads at the store's one file route and at a file's own path, its manifest checks, and leaves other paths to the user's routes", async () => {
  const token = await devToken(store);
  const auth = { authorization: `Bearer ${token}` };
  const bytes = randomBytes(3000);
  const hash = contentHash(bytes);
  const fileRoute = `${backend.url}/api/stores/${store}/file`;

  const stored = await fetch(fileRoute, {
    method: 'PUT',
    body: bytes,
    headers: { ...auth, 'x-file-path': `mounted/${hash}`, 'content-type': 'application/octet-stream', 'x-content-sha256': sha256(bytes) },
  });
  assert.equal(stored.status, 201, `stored at the store's one file route: ${await stored.text()}`);
  const byHeader = await fetch(fileRoute, { headers: { ...auth, 'x-file-path': `mounted/${hash}` } });
  assert.equal(byHeader.status, 200);
  assert.deepEqual(Buffer.from(await byHeader.arrayBuffer()), bytes, 'read back at the same route');
  assert.equal(byHeader.headers.get('cache-control'), 'no-store');
  const byPath = await fetch(`${backend.url}/api/stores/${store}/files/mounted/${hash}`, { headers: auth });
  assert.deepEqual(Buffer.from(await byPath.arrayBuffer()), bytes, "and at the file's own path");

  const manifest = await fetch(`${backend.url}/api/stores/${store}/manifest`, { headers: { ...auth, 'x-manifest-digest': '0'.repeat(64) } });
  assert.equal(manifest.status, 200);
  assert.match((await manifest.json()).digest, /^[0-9a-f]{64}$/, 'the manifest, as a device asks for it');

  const malformed = await fetch(fileRoute, { headers: { ...auth, 'x-file-path': '../elsewhere' } });
  assert.equal(malformed.status, 400, 'a path that names no file is refused');
  await malformed.body?.cancel();
  const yours = await fetch(`${backend.url}/about`);
  assert.equal(await yours.text(), 'yours', "a path outside the API goes to the user's own routes");
});
