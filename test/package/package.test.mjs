// The package as an app gets it: every export resolves to a built file with its types, and an app's
// bundler that imports one element gets that element and not the others (sideEffects, one file each).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
let app;

before(() => {
  // An app folder with the package installed (linked, as `npm install <path>` would).
  app = mkdtempSync(path.join(tmpdir(), 'ls-app-'));
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(root, path.join(app, 'node_modules', pkg.name), 'dir');
});
after(() => rmSync(app, { recursive: true, force: true }));

test('every export of package.json resolves to a built file, with types where it is code', () => {
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const files = typeof target === 'string' ? [target] : Object.values(target);
    for (const file of files) assert.ok(existsSync(path.join(root, file)), `${entry} -> ${file} is missing (npm run build)`);
    if (entry.endsWith('.json') || entry.includes('worker')) continue;
    assert.ok(typeof target === 'object' && target.types, `${entry} has no types`);
  }
  assert.ok(existsSync(path.join(root, pkg.customElements)));
});

async function bundle(source) {
  writeFileSync(path.join(app, 'main.js'), source);
  const result = await build({ absWorkingDir: app, entryPoints: ['main.js'], bundle: true, format: 'esm', write: false, logLevel: 'silent', platform: 'browser' });
  return result.outputFiles[0].text;
}

const defined = (code) => ['ls-file-sync', 'ls-file-upload', 'ls-file-image', 'ls-file-gallery', 'ls-sync-status'].filter((tag) => new RegExp(`customElements\\.define\\(\\s*[\`'"]${tag}[\`'"]`).test(code));

test('importing one element registers that element only', async () => {
  assert.deepEqual(defined(await bundle(`import '${pkg.name}/file-image.js';`)), ['ls-file-image']);
  assert.deepEqual(defined(await bundle(`import '${pkg.name}/sync-status.js';`)), ['ls-sync-status']);
  // The gallery shows images with <ls-file-image>, so it brings that one along.
  assert.deepEqual(defined(await bundle(`import '${pkg.name}/file-gallery.js';`)).sort(), ['ls-file-gallery', 'ls-file-image']);
});

test('importing the package registers every element; importing the schema registers none', async () => {
  assert.equal(defined(await bundle(`import '${pkg.name}';`)).length, 5);
  const schemaOnly = await bundle(`import { fileSyncSchema } from '${pkg.name}/schema'; console.log(fileSyncSchema);`);
  assert.deepEqual(defined(schemaOnly), []);
  assert.doesNotMatch(schemaOnly, /LitElement|lit-html/, 'the schema alone must not pull in Lit');
});

test('the built kit carries the project\'s fixes of LiveStore (patches/), not the code npm shipped', () => {
  const dist = path.join(root, 'dist');
  const read = (file) => readFileSync(path.join(dist, file), 'utf8');
  const pageCode = readdirSync(dist).filter((f) => f.endsWith('.js')).map(read).join('\n');
  assert.match(pageCode, /client-session-sync-processor:push-parked/, 'the client session parks after a refused push');
  assert.match(pageCode, /A file of the state database could not be read/, 'a tab reads the state database again when it changed meanwhile');
  assert.match(pageCode, /@livestore\/livestore:shutdown:hand-over/, 'a store shut down hands its pending commits to its leader first');
  // A worker's file and the chunks it imports (a tab that keeps files in memory runs the same leader code in
  // the page, so the build may share it in a chunk).
  const withChunks = (entry) => {
    const files = new Set([entry]);
    for (const file of files) for (const [, chunk] of read(file).matchAll(/from\s*["']\.\/([^"']+\.js)["']/g)) files.add(chunk);
    return [...files].map(read).join('\n');
  };
  const leader = withChunks('leader-worker.js');
  assert.match(leader, /pulled events do not continue the upstream head/, 'the leader pulls again over a hole');
  assert.match(leader, /push:reject-not-following-head/, 'the leader refuses a batch that does not follow its head');
  assert.match(leader, /SELECT name, argsJson, clientId, sessionId FROM/, 'the event log takes an event it already holds');
  assert.match(leader, /message\s*===\s*[`"']ping timeout[`"']/, 'an unanswered ping fails the requests in flight');
  assert.match(leader, /events from the event log/, 'the leader gives a session from before it the events its log holds after the session\'s cursor');
  assert.match(leader, /createSyncAccessHandle\(\w+\)\.pipe\(/, 'a new leader waits for the files a closing tab still holds');
  const sharedWorker = withChunks('shared-worker.js');
  assert.match(sharedWorker, /the leader changed during/, 'the shared worker asks a new leader again what the old one left unanswered');
  assert.match(sharedWorker, /`onconnect`in \w+\|\|\(\w+\?\?\w+\)\.postMessage\(\[1,/, 'the shared worker drops an answer to a tab that left instead of closing');
  assert.match(sharedWorker, /if\(\w+\.size===1&&`onconnect`in \w+\)\{\w+\.delete\(\w+\),[^}]*setTimeout\(/, 'a shared worker whose last tab left waits for the next before it closes');
  assert.match(sharedWorker, /\.run\(\((\w+),\[(\w+),\w+,\w+,\w+\]\)=>\{if\(\w+===1\)\{let \w+=\w+\.get\(`\$\{\1\}:\$\{\2\}`\)/, 'the shared worker tells its tabs\' requests apart by port, not by number alone');
  const server = readdirSync(path.join(dist, 'server')).filter((f) => f.endsWith('.js')).map((f) => read(`server/${f}`)).join('\n');
  assert.match(server, /pushLock\.withPermits\(1\)/, 'the sync Durable Object pushes under one lock');
  assert.match(server, /launching\.get\(ws\)/, 'one RPC server per socket');
});
