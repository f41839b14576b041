// A real LiveStore Node client (@livestore/adapter-node) against the worker's sync backend: it syncs with a
// valid token and is refused with an invalid one. Node 20 needs --experimental-websocket for LiveStore's
// socket; the test starts each client in such a process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, devToken, DEV_SECRET } from '../../scripts/backend.mjs';
import { contentHash } from '../support/content-hash.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-node-client-'));
let backend;
before(async () => {
  backend = await startBackend({ port: 0, persistTo: stateDir });
});
after(async () => {
  await backend?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Runs a client script (support/livestore-client.mjs unless named); resolves with what it printed as JSON on
 * its last line. A client that has not ended after a minute and a half is ended, and fails saying so.
 */
function client(args, script = 'support/livestore-client.mjs') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', path.join(here, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1);
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} ${args.at(3) ?? ''} exited ${code} without its answer: ${out}\n${err.slice(-3000)}`));
      }
    });
  });
}

test('a LiveStore Node client syncs file records with a valid token and is refused with an invalid one', async () => {
  const storeId = `node-${Date.now().toString(36)}`;
  const writer = await client([backend.url, storeId, await devToken(storeId), 'write']);
  assert.equal(writer.committed, true);

  const reader = await client([backend.url, storeId, await devToken(storeId), 'read']);
  assert.deepEqual(reader.names, ['from-node.txt'], 'a second client pulls the record');

  const refused = await client([backend.url, storeId, await devToken('another-store'), 'read']);
  assert.deepEqual(refused.names, [], 'a token for another store pulls nothing');
  assert.equal(refused.connected, false);

  // The manifest the worker folds from the same log: what a device compares its records with.
  // The digest the device expects goes in a header (the kit's way: one URL, one preflight) or, as earlier
  // kits sent it, in the query.
  const manifest = async (token, digest = '', { inQuery = false } = {}) => {
    const headers = { authorization: `Bearer ${token}`, ...(inQuery ? {} : { 'x-manifest-digest': digest }) };
    const response = await fetch(`${backend.url}/api/stores/${storeId}/manifest${inQuery ? `?digest=${digest}` : ''}`, { headers });
    return { status: response.status, body: await response.json(), vary: response.headers.get('vary') };
  };
  const full = await manifest(await devToken(storeId, ['read']));
  assert.equal(full.status, 200);
  assert.equal(full.body.files.length, 1, 'one file in the manifest');
  const [[id, hash, uploaded, deleted]] = full.body.files;
  assert.match(id, /^[A-Za-z0-9_-]+$/);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.deepEqual([uploaded, deleted], [0, 0]);
  assert.ok(full.body.head >= 1, 'the head of the log');
  const same = await manifest(await devToken(storeId, ['read']), full.body.digest);
  assert.deepEqual(same.body, { head: full.body.head, digest: full.body.digest }, 'an unchanged manifest comes without its rows');
  assert.match(same.vary ?? '', /x-manifest-digest/i, 'a cache tells the answers apart by the digest asked with');
  const sameInQuery = await manifest(await devToken(storeId, ['read']), full.body.digest, { inQuery: true });
  assert.deepEqual(sameInQuery.body, same.body, 'the digest in the query, as earlier kits send it, is still read');
  const preflight = await fetch(`${backend.url}/api/stores/${storeId}/manifest`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-manifest-digest' },
  });
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-manifest-digest/i, 'a page of another origin may send the header');
  const stale = await manifest(await devToken(storeId, ['read']), '0'.repeat(64));
  assert.deepEqual(stale.body, full.body, 'a manifest that changed since comes with its rows');
  const other = await manifest(await devToken('another-store'));
  assert.equal(other.status, 403, 'a token for another store reads no manifest');
  assert.equal(other.body.error.code, 'wrong_store');
});

test('bytes no record names are collected after their grace period, bytes a record names are kept (also when the record comes after the upload), and an abandoned multipart upload is aborted', async () => {
  const quick = await startBackend({
    port: 0,
    persistTo: path.join(stateDir, 'collect'),
    vars: { UNREFERENCED_GRACE_SECONDS: '8', UPLOAD_LIFETIME_SECONDS: '3' },
  });
  const storeId = `collect-${Date.now().toString(36)}`;
  const token = await devToken(storeId);
  const headers = { authorization: `Bearer ${token}` };
  const at = (fileId, bytes, suffix = '') => `${quick.url}/api/stores/${storeId}/files/${fileId}/${contentHash(bytes)}${suffix}`;
  const put = async (fileId, bytes) => assert.equal((await fetch(at(fileId, bytes), { method: 'PUT', body: bytes, headers })).status, 201);
  const head = async (fileId, bytes) => (await fetch(at(fileId, bytes), { method: 'HEAD', headers })).status;
  try {
    const orphan = randomBytes(500);
    const early = randomBytes(500);
    const named = randomBytes(500);
    await put('orphan', orphan);
    await put('early', early);
    const earlyDue = Date.now() + 8_000;
    const abandoned = randomBytes(100);
    const created = await fetch(at('abandoned', abandoned, '/uploads'), { method: 'POST', headers, body: JSON.stringify({ size: abandoned.length }) });
    assert.equal(created.status, 201);
    const { uploadId } = await created.json();

    const writer = await client([quick.url, storeId, token, 'write', `early:${contentHash(early)}`, `named:${contentHash(named)}`]);
    assert.equal(writer.committed, true);
    await put('named', named);

    const deadline = Date.now() + 30_000;
    while ((await head('orphan', orphan)) !== 404 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await head('orphan', orphan), 404, 'bytes no record names are removed after the grace period');
    // Past the moment the early bytes would have gone without their record (alarms are a little late).
    await new Promise((r) => setTimeout(r, Math.max(0, earlyDue - Date.now()) + 2_000));
    assert.equal(await head('early', early), 200, 'bytes whose record arrived after the upload are kept');
    assert.equal(await head('named', named), 200, 'bytes uploaded after their record are kept');
    const part = await fetch(at('abandoned', abandoned, `/uploads/${encodeURIComponent(uploadId)}/parts/1`), { method: 'PUT', headers, body: abandoned });
    assert.equal(part.status, 404, 'the abandoned upload was aborted');
    assert.equal((await part.json()).error.code, 'no_such_upload');
  } finally {
    await quick.stop();
  }
});

test('a socket is closed when its token ends: a reader whose token ended receives no later record, one whose token lasts does', async () => {
  const storeId = `ending-${Date.now().toString(36)}`;
  const { mintToken } = await import('../../dist/server/tokens.js');
  assert.equal((await client([backend.url, storeId, await devToken(storeId), 'write', `before:${'c'.repeat(64)}`])).committed, true);
  const shortToken = await mintToken({ secret: DEV_SECRET, storeId, scopes: ['read'], ttlSeconds: 8 });
  const watching = [client([backend.url, storeId, shortToken, 'watch', '25']), client([backend.url, storeId, await devToken(storeId, ['read']), 'watch', '25'])];
  // Written once the short token has ended (it lasts 8 s; the watchers connect within a few).
  await new Promise((r) => setTimeout(r, 12_000));
  assert.equal((await client([backend.url, storeId, await devToken(storeId), 'write', `after:${'d'.repeat(64)}`])).committed, true);
  const [ended, lasting] = await Promise.all(watching);
  assert.deepEqual(lasting.names, ['after.bin', 'before.bin'], 'the reader whose token lasts receives the later record');
  assert.deepEqual(ended.names, ['before.bin'], 'the reader whose token ended received nothing after it');
});

test('a revoked token opens nothing: the file routes, the manifest and an open sync socket refuse it, other subjects keep theirs, and a store-wide revocation ends every token', async () => {
  const storeId = `revoked-${Date.now().toString(36)}`;
  const { mintToken } = await import('../../dist/server/tokens.js');
  const mint = (subject, scopes = ['read', 'write']) => mintToken({ secret: DEV_SECRET, storeId, scopes, subject });
  const [alice, bob, revoker] = [await mint('alice'), await mint('bob'), await mint('app-server', ['revoke'])];
  const manifest = (token) => fetch(`${backend.url}/api/stores/${storeId}/manifest`, { headers: { authorization: `Bearer ${token}` } });
  const revoke = (token, body) =>
    fetch(`${backend.url}/api/stores/${storeId}/revocations`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}` } });
  const errorOf = async (response) => [response.status, (await response.json()).error?.code];

  assert.equal((await client([backend.url, storeId, alice, 'write', `before:${'e'.repeat(64)}`])).committed, true);
  const watching = [client([backend.url, storeId, alice, 'watch', '25']), client([backend.url, storeId, bob, 'watch', '25'])];
  // Connected before the revocation, and writing after it: no socket opens after the revocation, so only
  // the revocation itself can close the revoked reader's socket.
  const lateWriter = client([backend.url, storeId, bob, 'write-after', '14', `after:${'f'.repeat(64)}`]);
  // The watchers connect within a few seconds.
  await new Promise((r) => setTimeout(r, 8_000));
  assert.deepEqual(await errorOf(await revoke(alice, { subject: 'alice' })), [403, 'scope_missing'], 'a browser token cannot revoke');
  const revoked = await revoke(revoker, { subject: 'alice' });
  assert.equal(revoked.status, 200);
  assert.equal((await revoked.json()).subject, 'alice');

  assert.deepEqual(await errorOf(await manifest(alice)), [401, 'token_revoked']);
  const bytes = Buffer.from('bytes after the revocation');
  const put = await fetch(`${backend.url}/api/stores/${storeId}/files/revoked-file/${contentHash(bytes)}`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${alice}` } });
  assert.deepEqual(await errorOf(put), [401, 'token_revoked']);
  assert.equal((await manifest(bob)).status, 200, "another subject's token still opens the store");
  assert.equal((await lateWriter).committed, true);
  const [aliceSaw, bobSaw] = await Promise.all(watching);
  assert.deepEqual(bobSaw.names, ['after.bin', 'before.bin'], 'the reader whose token stands receives the later record');
  assert.deepEqual(aliceSaw.names, ['before.bin'], 'the socket opened with the revoked token received nothing after the revocation');

  // Revocations count whole seconds of issue: a token minted in a later second opens the store again.
  await new Promise((r) => setTimeout(r, 1_100));
  assert.equal((await manifest(await mint('alice'))).status, 200, 'a token issued after the revocation');
  assert.equal((await revoke(revoker, {})).status, 200);
  assert.deepEqual(await errorOf(await manifest(bob)), [401, 'token_revoked'], 'a store-wide revocation ends every token issued before it');
  assert.deepEqual(await errorOf(await revoke(revoker, { subject: 'x'.repeat(300) })), [401, 'token_revoked'], 'the revoking token is revoked with the rest');
});

/** The hostile client (support/hostile-client.mjs) for one case. */
const hostile = (url, storeId, token, which, ...extra) => client([url, storeId, token, which, ...extra], 'support/hostile-client.mjs');

/** What the backend holds of a store: the number of its last event and the ids of the files it records. */
async function held(url, storeId, token) {
  const response = await fetch(`${url}/api/stores/${storeId}/manifest`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  return { head: body.head, files: body.files.map(([id]) => id).sort() };
}

test('the sync backend refuses events no device of the kit could make (a hostile client with a write token, on purpose), and a new device still reads the store', async () => {
  const storeId = `hostile-${Date.now().toString(36)}`;
  const token = await devToken(storeId);
  const writer = await client([backend.url, storeId, token, 'write']);
  assert.equal(writer.committed, true);
  assert.deepEqual(await held(backend.url, storeId, token), { head: 1, files: ['node-file'] });

  // `valid` is the control: the same client with an event as the kit makes it, which the backend takes.
  // `uploaded-held` is the control of `uploaded-never`: a record of bytes this test did upload.
  const bytes = Buffer.from('bytes the backend holds');
  const heldHash = contentHash(bytes);
  const put = await fetch(`${backend.url}/api/stores/${storeId}/files/held-1/${heldHash}`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${token}` } });
  assert.equal(put.status, 201);
  const cases = ['valid', 'uploaded-held', 'created-without-fields', 'name-too-long', 'extra-property', 'negative-size', 'uploaded-elsewhere', 'uploaded-never', 'preview-url', 'unknown-version', 'app-event'];
  const answers = await Promise.all(cases.map((which) => hostile(backend.url, storeId, token, which, heldHash)));
  for (const [i, answer] of answers.entries()) assert.equal(answer.connected, true, `${cases[i]}: the hostile client was connected`);
  // The manifest lists files by their FileCreated; its head counts every event the backend took.
  assert.deepEqual(await held(backend.url, storeId, token), { head: 3, files: ['fine-1', 'node-file'] }, 'the backend took the two control events and nothing else');

  const reader = await client([backend.url, storeId, await devToken(storeId, ['read']), 'read']);
  assert.deepEqual(reader.names.sort(), ['fine.txt', 'from-node.txt'], 'a new device reads the good records');
});

test('a deployment that syncs events of its own (SYNC_OTHER_EVENTS=accept) passes them on, and still refuses malformed events of the kit', async () => {
  const open = await startBackend({ port: 0, persistTo: path.join(stateDir, 'open'), vars: { SYNC_OTHER_EVENTS: 'accept' } });
  try {
    const storeId = `app-${Date.now().toString(36)}`;
    const token = await devToken(storeId);
    await Promise.all(['app-event', 'created-without-fields'].map((which) => hostile(open.url, storeId, token, which)));
    assert.deepEqual(await held(open.url, storeId, token), { head: 1, files: [] }, "the app's own event is taken, the malformed event of the kit is not");
  } finally {
    await open.stop();
  }
});
