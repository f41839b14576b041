// The worker's file API under workerd (wrangler dev): tokens, path tricks, limits, multipart uploads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBackend, devToken, DEV_SECRET } from '../../scripts/backend.mjs';
import { contentHash, sha256 } from '../support/content-hash.mjs';
import { readBucket } from '../support/r2.mjs';

const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-api-'));
let backend;
let token;
const store = 'api-tests';
const MiB = 1024 * 1024;

before(async () => {
  backend = await startBackend({ port: 0, persistTo: stateDir });
  token = await devToken(store);
});
after(async () => {
  await backend?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const fileUrl = (fileId, hash, suffix = '', s = store) => `${backend.url}/api/stores/${s}/files/${fileId}/${hash}${suffix}`;
/** The store's one file route: the file named in `x-file-path` (src/core/wire.ts, storeFileRoute). */
const fileRoute = (s = store) => `${backend.url}/api/stores/${s}/file`;
const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const errorCode = async (res) => (await res.json()).error.code;

/** A single PUT as the kit sends it: the key holds the content hash, `x-content-sha256` the plain SHA-256 (null: left out). */
async function put(fileId, bytes, { hash = contentHash(bytes), plain = sha256(bytes), t = token, type = 'application/octet-stream' } = {}) {
  const headers = { ...auth(t), 'content-type': type, ...(plain === null ? {} : { 'x-content-sha256': plain }) };
  return fetch(fileUrl(fileId, hash), { method: 'PUT', body: bytes, headers });
}

test('a token that is missing, malformed, expired, for another store or read-only, or lacks an expiry, an issue time, the audience or a bounded lifetime, is refused with its reason', async () => {
  const bytes = Buffer.from('hello');
  const { mintToken } = await import('../../dist/server/tokens.js');
  const expired = await mintToken({ secret: DEV_SECRET, storeId: store, scopes: ['read', 'write'], ttlSeconds: -60 });
  const readOnly = await devToken(store, ['read']);
  const otherStore = await devToken('another-store');
  const forged = await mintToken({ secret: 'x'.repeat(40), storeId: store, scopes: ['read', 'write'] });
  // Signed with the right secret, each missing what every token must have.
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  const sign = async ({ iat = now, exp = now + 3600, aud = 'ls-file-sync-api' } = {}) => {
    const jwt = new SignJWT({ store, scope: 'read write' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('ls-file-sync');
    if (aud !== null) jwt.setAudience(aud);
    if (iat !== null) jwt.setIssuedAt(iat);
    if (exp !== null) jwt.setExpirationTime(exp);
    return jwt.sign(new TextEncoder().encode(DEV_SECRET));
  };
  const cases = [
    [await put('f1', bytes, { t: await sign({ exp: null }) }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: await sign({ iat: null }) }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: await sign({ aud: null }) }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: await sign({ aud: 'another-service' }) }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: await sign({ exp: now + 30 * 24 * 3600 }) }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: await sign({ iat: now + 3600, exp: now + 7200 }) }), 401, 'token_invalid'],
    [await fetch(fileUrl('f1', contentHash(bytes)), { method: 'PUT', body: bytes }), 401, 'token_missing'],
    [await put('f1', bytes, { t: 'not.a.jwt' }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: forged }), 401, 'token_invalid'],
    [await put('f1', bytes, { t: expired }), 401, 'token_expired'],
    [await put('f1', bytes, { t: otherStore }), 403, 'wrong_store'],
    [await put('f1', bytes, { t: readOnly }), 403, 'scope_missing'],
  ];
  for (const [res, status, code] of cases) {
    assert.equal(res.status, status);
    assert.equal(await errorCode(res), code);
  }
  assert.equal((await fetch(fileUrl('f1', contentHash(bytes)), { method: 'HEAD', headers: auth() })).status, 404, 'nothing was stored');
  assert.equal((await put('f1', bytes, { t: await devToken(store) })).status, 201);
  assert.equal((await fetch(fileUrl('f1', contentHash(bytes)), { headers: auth(readOnly) })).status, 200, 'read-only can read');
});

test('paths that try to leave the store are refused before any storage is touched', async () => {
  const hash = contentHash('x');
  for (const p of [
    `/api/stores/${store}/files/..%2f..%2fother/${hash}`,
    `/api/stores/${store}/files/%2e%2e/${hash}`,
    `/api/stores/${store}/files/a/b/${hash}`,
    `/api/stores/${store}/files/f1/${hash.toUpperCase()}`,
    `/api/stores/${store}/files/f\u202e1/${hash}`,
    `/api/stores/${store}/files/f1/${hash}/uploads/x/parts/0`,
    `/api/stores/${store}/files/f1/${hash}/uploads/x/parts/10001`,
  ]) {
    const res = await fetch(backend.url + p, { method: 'PUT', body: 'x', headers: auth() });
    assert.equal(res.status, 400, p);
    assert.equal(await errorCode(res), 'bad_request');
  }
});

test('uploads need a length, must match their hash, and are stored with safe download headers', async () => {
  const bytes = Buffer.from('<html><script>alert(1)</script></html>');
  const streamed = await fetch(fileUrl('html', contentHash(bytes)), {
    method: 'PUT',
    body: new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }),
    duplex: 'half',
    headers: auth(),
  });
  assert.equal(streamed.status, 411);
  assert.equal(await errorCode(streamed), 'length_required');

  // Bytes that are not the key's content, whether or not the request declares their plain SHA-256.
  for (const plain of [undefined, null]) {
    const wrong = await put('html', Buffer.from('something else'), { hash: contentHash(bytes), plain });
    assert.equal(wrong.status, 422);
    assert.equal(await errorCode(wrong), 'hash_mismatch');
    assert.equal((await fetch(fileUrl('html', contentHash(bytes)), { method: 'HEAD', headers: auth() })).status, 404);
  }
  const badHeader = await put('html', bytes, { plain: 'not-hex' });
  assert.equal(badHeader.status, 400);

  assert.equal((await put('html', bytes, { type: 'text/html' })).status, 201);
  const got = await fetch(fileUrl('html', contentHash(bytes)), { headers: auth() });
  assert.equal(got.headers.get('content-disposition'), 'attachment');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-security-policy'), /sandbox/);
  assert.equal(contentHash(Buffer.from(await got.arrayBuffer())), contentHash(bytes));

  const etag = got.headers.get('etag');
  assert.equal((await fetch(fileUrl('html', contentHash(bytes)), { headers: { ...auth(), 'if-none-match': etag } })).status, 304);
  const ranged = await fetch(fileUrl('html', contentHash(bytes)), { headers: { ...auth(), range: 'bytes=1-4' } });
  assert.equal(ranged.status, 206);
  assert.equal(await ranged.text(), 'html');

  // Sent again, damaged on the way (the declared SHA-256 is the right bytes'): refused before it replaces them.
  const damaged = Buffer.from(bytes);
  damaged[3] ^= 1;
  const resent = await put('html', damaged, { plain: sha256(bytes) });
  assert.equal(resent.status, 422);
  assert.equal(await errorCode(resent), 'hash_mismatch');
  const still = await fetch(fileUrl('html', contentHash(bytes)), { headers: auth() });
  assert.equal(contentHash(Buffer.from(await still.arrayBuffer())), contentHash(bytes), 'the stored bytes are intact');
});

test('files over the configured size limit are refused with 413, in one request or in parts', async () => {
  const small = await startBackend({ port: 0, persistTo: path.join(stateDir, 'small'), vars: { MAX_FILE_SIZE: String(MiB) } });
  try {
    const bytes = randomBytes(MiB + 1);
    const res = await fetch(`${small.url}/api/stores/${store}/files/big/${contentHash(bytes)}`, { method: 'PUT', body: bytes, headers: auth() });
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), 'too_large');
    const parts = await fetch(`${small.url}/api/stores/${store}/files/big/${contentHash(bytes)}/uploads`, {
      method: 'POST',
      body: JSON.stringify({ size: MiB + 1 }),
      headers: auth(),
    });
    assert.equal(parts.status, 413);
    assert.equal((await fetch(`${small.url}/api/stores/${store}/files/big/${contentHash(bytes)}`, { method: 'HEAD', headers: auth() })).status, 404);
  } finally {
    await small.stop();
  }
  // A limit that is not a whole number stops the worker, where it let every size pass.
  const wrong = await startBackend({ port: 0, persistTo: path.join(stateDir, 'wrong'), vars: { MAX_FILE_SIZE: '1MB' }, healthy: false });
  try {
    const bytes = randomBytes(10);
    const res = await fetch(`${wrong.url}/api/stores/${store}/files/any/${contentHash(bytes)}`, { method: 'PUT', body: bytes, headers: auth() });
    assert.equal(res.status, 500);
    const { error } = await res.json();
    assert.equal(error.code, 'config_error');
    assert.match(error.message, /MAX_FILE_SIZE is "1MB"/);
  } finally {
    await wrong.stop();
  }
});

test('a store holds no more than its quota: bytes past STORE_MAX_BYTES are refused (507), uploads in progress past STORE_MAX_UPLOADS wait (429), content already stored is still answered', async () => {
  const quota = await startBackend({ port: 0, persistTo: path.join(stateDir, 'quota'), vars: { STORE_MAX_BYTES: '3000', STORE_MAX_UPLOADS: '1' } });
  const at = (fileId, last, suffix = '') => `${quota.url}/api/stores/${store}/files/${fileId}/${last}${suffix}`;
  const putAt = (fileId, bytes) => fetch(at(fileId, contentHash(bytes)), { method: 'PUT', body: bytes, headers: auth() });
  try {
    const first = randomBytes(2000);
    assert.equal((await putAt('q1', first)).status, 201);
    const over = await putAt('q2', randomBytes(1500));
    assert.equal(over.status, 507);
    assert.equal(await errorCode(over), 'quota_exceeded');
    assert.equal((await putAt('q1', first)).status, 200, 'content already stored takes no room');

    const begin = (fileId, size) =>
      fetch(at(fileId, contentHash(String(size)), '/uploads'), { method: 'POST', body: JSON.stringify({ size }), headers: auth() });
    const started = await begin('q3', 500);
    assert.equal(started.status, 201, 'an upload that fits, counted at its declared size');
    const second = await begin('q4', 100);
    assert.equal(second.status, 429);
    assert.equal(await errorCode(second), 'too_many_uploads');
    assert.equal(second.headers.get('retry-after'), '60');
    const { uploadId } = await started.json();
    assert.equal((await fetch(at('q3', contentHash('500'), `/uploads/${encodeURIComponent(uploadId)}`), { method: 'DELETE', headers: auth() })).status, 204);
    const tooBig = await begin('q4', 1001);
    assert.equal(tooBig.status, 507, 'the bytes held and the size declared add up past the quota');
    assert.equal((await begin('q4', 1000)).status, 201, 'once the first upload is aborted, its room is free');
  } finally {
    await quota.stop();
  }
});

test("with Cloudflare's rate limiting binding bound, a client past its limit is answered 429 rate_limited, and /health never", async () => {
  const limited = await startBackend({ port: 0, persistTo: path.join(stateDir, 'limited'), rateLimit: { limit: 5, period: 60 } });
  try {
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${limited.url}/api/stores/${store}/manifest`, { headers: auth() });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(await errorCode(res), 'rate_limited');
        assert.equal(res.headers.get('retry-after'), '10');
      } else await res.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.equal((await fetch(`${limited.url}/health`)).status, 200);
  } finally {
    await limited.stop();
  }
});

async function startUpload(fileId, hash, size) {
  const res = await fetch(fileUrl(fileId, hash, '/uploads'), { method: 'POST', body: JSON.stringify({ size }), headers: { ...auth(), 'content-type': 'image/png' } });
  assert.equal(res.status, 201);
  return (await res.json()).uploadId;
}
const partUrl = (fileId, hash, uploadId, n) => fileUrl(fileId, hash, `/uploads/${encodeURIComponent(uploadId)}/parts/${n}`);
async function putPart(fileId, hash, uploadId, n, bytes) {
  const res = await fetch(partUrl(fileId, hash, uploadId, n), { method: 'PUT', body: bytes, headers: auth() });
  assert.equal(res.status, 200, `part ${n}`);
  return res.json();
}
const completeUpload = (fileId, hash, uploadId, parts) =>
  fetch(fileUrl(fileId, hash, `/uploads/${encodeURIComponent(uploadId)}/complete`), { method: 'POST', body: JSON.stringify({ parts }), headers: auth() });

test('the parts of an upload add up to no more than the size it declared', async () => {
  const bytes = randomBytes(6 * MiB);
  const hash = contentHash(bytes);
  const uploadId = await startUpload('declared-small', hash, 1);
  const res = await fetch(partUrl('declared-small', hash, uploadId, 1), { method: 'PUT', body: bytes, headers: auth() });
  assert.equal(res.status, 413);
  assert.equal(await errorCode(res), 'too_large');
});

test('a multipart upload assembles its parts, verifies the whole hash and serves the file', async () => {
  const bytes = randomBytes(5 * MiB + 1234);
  const hash = contentHash(bytes);
  const uploadId = await startUpload('mp', hash, bytes.length);
  const p1 = await putPart('mp', hash, uploadId, 1, bytes.subarray(0, 5 * MiB));
  const p2 = await putPart('mp', hash, uploadId, 2, bytes.subarray(5 * MiB));
  const done = await completeUpload('mp', hash, uploadId, [p1, p2]);
  assert.equal(done.status, 201);
  const got = await fetch(fileUrl('mp', hash), { headers: auth() });
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.equal(contentHash(Buffer.from(await got.arrayBuffer())), hash);
});

test('a multipart upload whose bytes do not match its hash or size is deleted, not stored', async () => {
  const bytes = randomBytes(5 * MiB + 10);
  const claimed = contentHash('not these bytes');
  let uploadId = await startUpload('mp-bad', claimed, bytes.length);
  let parts = [await putPart('mp-bad', claimed, uploadId, 1, bytes.subarray(0, 5 * MiB)), await putPart('mp-bad', claimed, uploadId, 2, bytes.subarray(5 * MiB))];
  let res = await completeUpload('mp-bad', claimed, uploadId, parts);
  assert.equal(res.status, 422);
  assert.equal(await errorCode(res), 'hash_mismatch');
  assert.equal((await fetch(fileUrl('mp-bad', claimed), { method: 'HEAD', headers: auth() })).status, 404);

  const hash = contentHash(bytes);
  uploadId = await startUpload('mp-size', hash, bytes.length + 1);
  parts = [await putPart('mp-size', hash, uploadId, 1, bytes.subarray(0, 5 * MiB)), await putPart('mp-size', hash, uploadId, 2, bytes.subarray(5 * MiB))];
  res = await completeUpload('mp-size', hash, uploadId, parts);
  assert.equal(res.status, 422);
  assert.equal(await errorCode(res), 'size_mismatch');
  assert.equal((await fetch(fileUrl('mp-size', hash), { method: 'HEAD', headers: auth() })).status, 404);
});

test('content keys are written once: other bytes sent to a stored key, in one request or in parts, change nothing and delete nothing', async () => {
  const held = randomBytes(3000);
  const hash = contentHash(held);
  const other = randomBytes(3000);
  const serves = async (what) => assert.deepEqual(Buffer.from(await (await fetch(fileUrl('once', hash), { headers: auth() })).arrayBuffer()), what, 'the key still serves its bytes');
  assert.equal((await put('once', held)).status, 201);

  // Other bytes with their own correct plain SHA-256, to the stored key: R2 would have replaced the object,
  // and the worker then deleted the key on the mismatch.
  const again = await put('once', other, { hash });
  assert.equal(again.status, 200);
  assert.equal((await again.json()).alreadyStored, true);
  await serves(held);

  const bigger = randomBytes(5 * MiB + 10);
  const uploadId = await startUpload('once', hash, bigger.length);
  const parts = [await putPart('once', hash, uploadId, 1, bigger.subarray(0, 5 * MiB)), await putPart('once', hash, uploadId, 2, bigger.subarray(5 * MiB))];
  const res = await completeUpload('once', hash, uploadId, parts);
  assert.equal(res.status, 422);
  assert.equal(await errorCode(res), 'hash_mismatch');
  await serves(held);

  // A first upload of wrong bytes leaves the key empty, and the right bytes are stored after it.
  const fresh = randomBytes(2000);
  const refused = await put('fresh', other, { hash: contentHash(fresh) });
  assert.equal(refused.status, 422);
  assert.equal((await fetch(fileUrl('fresh', contentHash(fresh)), { method: 'HEAD', headers: auth() })).status, 404);
  assert.equal((await put('fresh', fresh)).status, 201);
});

test('a staging address takes one upload: another there is refused, so it cannot change what a content key serves, and a completion sent again finds its content stored', async () => {
  const staging = `u-${randomBytes(12).toString('hex')}`;
  const at = (suffix) => fileUrl('staged-once', staging, suffix);
  /** Creates an upload at the staging address; resolves with the answer. */
  const create = (size) => fetch(at('/uploads'), { method: 'POST', body: JSON.stringify({ size }), headers: auth() });
  const first = randomBytes(3000);
  const hash = contentHash(first);
  const created = await create(first.length);
  assert.equal(created.status, 201);
  const { uploadId } = await created.json();
  const part = await (await fetch(at(`/uploads/${encodeURIComponent(uploadId)}/parts/1`), { method: 'PUT', body: first, headers: auth() })).json();
  const complete = () => fetch(at(`/uploads/${encodeURIComponent(uploadId)}/complete`), { method: 'POST', body: JSON.stringify({ parts: [part], hash }), headers: auth() });
  assert.equal((await complete()).status, 201);

  const resent = await complete();
  assert.equal(resent.status, 200, 'a completion sent again after its answer was lost');
  assert.equal((await resent.json()).alreadyStored, true);

  const reused = await create(3000);
  assert.equal(reused.status, 409);
  assert.equal(await errorCode(reused), 'staging_used');
  const got = await fetch(fileUrl('staged-once', hash), { headers: auth() });
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), first, 'the content key serves the first bytes');
});

test('a completion sent again while the first still checks the bytes (its client gave up on it) is told to wait, then finds the content stored instead of starting the upload over', async () => {
  // 5 MiB parts are not whole 4 MiB blocks: the worker reads the assembled file back to hash it, which takes a while.
  const bytes = randomBytes(25 * MiB + 99);
  const hash = contentHash(bytes);
  const uploadId = await startUpload('completing', hash, bytes.length);
  const parts = await Promise.all(
    Array.from({ length: 6 }, (_, i) => putPart('completing', hash, uploadId, i + 1, bytes.subarray(i * 5 * MiB, (i + 1) * 5 * MiB))),
  );
  const complete = (signal) =>
    fetch(fileUrl('completing', hash, `/uploads/${encodeURIComponent(uploadId)}/complete`), { method: 'POST', body: JSON.stringify({ parts }), headers: auth(), signal });
  // The client gives up on its first completion (as its idle timeout does on a long check) and sends it again.
  await complete(AbortSignal.timeout(50)).then(
    () => assert.fail('the first completion was meant to be cut off by its client'),
    (error) => assert.equal(error.name, 'TimeoutError'),
  );
  let answer = await complete();
  assert.equal(answer.status, 503, 'sent again while the first still checks the bytes');
  const waits = [];
  // Told to wait while the first still runs, as its Retry-After says; a bounded number of times.
  while (answer.status === 503 && waits.length < 10) {
    assert.equal(await errorCode(answer), 'completing');
    waits.push(Number(answer.headers.get('retry-after')));
    await new Promise((resolve) => setTimeout(resolve, waits.at(-1) * 1000));
    answer = await complete();
  }
  assert.equal(answer.status, 200, `sent again after ${waits.length} waits: found the content stored, not a staging address in use (409)`);
  assert.equal((await answer.json()).alreadyStored, true);
  const got = await fetch(fileUrl('completing', hash), { headers: auth() });
  assert.equal(contentHash(Buffer.from(await got.arrayBuffer())), hash);
});

test('parts in whole 4 MiB blocks are checked as they stream in: right bytes stored, wrong ones refused, a part sent again counts as sent last', async () => {
  // 8 MiB parts, as the kit sends them: the worker takes the content hash from the parts' block digests.
  const bytes = randomBytes(16 * MiB + 777);
  const hash = contentHash(bytes);
  const slices = [bytes.subarray(0, 8 * MiB), bytes.subarray(8 * MiB, 16 * MiB), bytes.subarray(16 * MiB)];
  const sendAll = async (fileId, key, uploadId) => Promise.all(slices.map((slice, i) => putPart(fileId, key, uploadId, i + 1, slice)));

  let uploadId = await startUpload('blocks', hash, bytes.length);
  let res = await completeUpload('blocks', hash, uploadId, await sendAll('blocks', hash, uploadId));
  assert.equal(res.status, 201);
  const got = await fetch(fileUrl('blocks', hash), { headers: auth() });
  assert.equal(contentHash(Buffer.from(await got.arrayBuffer())), hash);

  const claimed = contentHash('not these bytes');
  uploadId = await startUpload('blocks-bad', claimed, bytes.length);
  res = await completeUpload('blocks-bad', claimed, uploadId, await sendAll('blocks-bad', claimed, uploadId));
  assert.equal(res.status, 422);
  assert.equal(await errorCode(res), 'hash_mismatch');
  assert.equal((await fetch(fileUrl('blocks-bad', claimed), { method: 'HEAD', headers: auth() })).status, 404);

  // Part 2 sent with other bytes, then again with the right ones: the file is what was sent last.
  uploadId = await startUpload('blocks-again', hash, bytes.length);
  let parts = await sendAll('blocks-again', hash, uploadId);
  await putPart('blocks-again', hash, uploadId, 2, randomBytes(8 * MiB));
  parts[1] = await putPart('blocks-again', hash, uploadId, 2, slices[1]);
  res = await completeUpload('blocks-again', hash, uploadId, parts);
  assert.equal(res.status, 201);
  // And the other way round: the right bytes, then a damaged resend, which is what R2 would assemble.
  uploadId = await startUpload('blocks-damaged', hash, bytes.length);
  parts = await sendAll('blocks-damaged', hash, uploadId);
  parts[1] = await putPart('blocks-damaged', hash, uploadId, 2, randomBytes(8 * MiB));
  res = await completeUpload('blocks-damaged', hash, uploadId, parts);
  assert.equal(res.status, 422);
  assert.equal(await errorCode(res), 'hash_mismatch');
  assert.equal((await fetch(fileUrl('blocks-damaged', hash), { method: 'HEAD', headers: auth() })).status, 404);
});

test('an upload begun before its hash was known is staged, served under its content key once completed, and goes with it', async () => {
  const dir = path.join(stateDir, 'staged');
  const quick = await startBackend({ port: 0, persistTo: dir, vars: { DELETE_GRACE_SECONDS: '2' } });
  const at = (fileId, last, suffix = '') => `${quick.url}/api/stores/${store}/files/${fileId}/${last}${suffix}`;
  const bytes = randomBytes(8 * MiB + 4321);
  const hash = contentHash(bytes);
  /** Sends `bytes` to a new staging address of `fileId` and completes with `body` (the hash named, or not). */
  const staged = async (fileId, body) => {
    const staging = `u-${randomBytes(12).toString('hex')}`;
    const created = await fetch(at(fileId, staging, '/uploads'), { method: 'POST', body: JSON.stringify({ size: bytes.length }), headers: { ...auth(), 'content-type': 'image/png' } });
    assert.equal(created.status, 201);
    const { uploadId } = await created.json();
    const upload = `/uploads/${encodeURIComponent(uploadId)}`;
    const parts = [];
    for (const [i, slice] of [bytes.subarray(0, 8 * MiB), bytes.subarray(8 * MiB)].entries()) {
      const res = await fetch(at(fileId, staging, `${upload}/parts/${i + 1}`), { method: 'PUT', body: slice, headers: auth() });
      assert.equal(res.status, 200);
      parts.push(await res.json());
    }
    const complete = (extra) => fetch(at(fileId, staging, `${upload}/complete`), { method: 'POST', body: JSON.stringify({ parts, ...extra }), headers: auth() });
    const unnamed = await complete({});
    assert.equal(unnamed.status, 400, 'a staged upload must name its hash');
    assert.equal(await errorCode(unnamed), 'bad_request');
    return { staging, res: await complete(body) };
  };
  try {
    const { staging, res } = await staged('kept', { hash });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).key, `kept/${hash}`);
    const got = await fetch(at('kept', hash), { headers: auth() });
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(contentHash(Buffer.from(await got.arrayBuffer())), hash);
    const head = await fetch(at('kept', hash), { method: 'HEAD', headers: auth() });
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    const range = await fetch(at('kept', hash), { headers: { ...auth(), range: `bytes=${8 * MiB}-${8 * MiB + 9}` } });
    assert.equal(range.status, 206);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), bytes.subarray(8 * MiB, 8 * MiB + 10));
    const cached = await fetch(at('kept', hash), { headers: { ...auth(), 'if-none-match': got.headers.get('etag') } });
    assert.equal(cached.status, 304);
    const direct = await fetch(at('kept', staging), { headers: auth() });
    assert.equal(direct.status, 400, 'staged bytes are not served under their staging key');
    await direct.body?.cancel();

    // The same content staged again: stored once.
    assert.equal((await staged('kept', { hash })).res.status, 201);

    const wrong = await staged('wrong', { hash: contentHash('not these bytes') });
    assert.equal(wrong.res.status, 422);
    assert.equal(await errorCode(wrong.res), 'hash_mismatch');
    assert.equal((await fetch(at('wrong', contentHash('not these bytes')), { method: 'HEAD', headers: auth() })).status, 404);

    assert.equal((await staged('gone', { hash })).res.status, 201);
    assert.equal((await fetch(at('gone', hash), { method: 'DELETE', headers: auth() })).status, 202);
    const deadline = Date.now() + 15_000;
    while ((await fetch(at('gone', hash), { method: 'HEAD', headers: auth() })).status !== 404 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await quick.stop();
    // Read as served (pointers followed): staged bytes no pointer names would be listed as leftovers.
    const objects = await readBucket(dir, `stores/${store}/files/`);
    assert.deepEqual([...objects], [[`stores/${store}/files/kept/${hash}`, hash]], 'the kept file, once; nothing of the wrong upload or the deleted file');
  } finally {
    await quick.stop();
  }
});

test('completing with a missing or out-of-order part, or an unknown upload, is refused and stores nothing', async () => {
  const bytes = randomBytes(10 * MiB + 5);
  const hash = contentHash(bytes);
  const uploadId = await startUpload('mp-gap', hash, bytes.length);
  const p1 = await putPart('mp-gap', hash, uploadId, 1, bytes.subarray(0, 5 * MiB));
  const p3 = await putPart('mp-gap', hash, uploadId, 3, bytes.subarray(10 * MiB));
  const p2 = await putPart('mp-gap', hash, uploadId, 2, bytes.subarray(5 * MiB, 10 * MiB));

  for (const parts of [[p1, p3], [p2, p1, p3], []]) {
    const res = await completeUpload('mp-gap', hash, uploadId, parts);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'invalid_parts');
  }
  assert.equal((await fetch(fileUrl('mp-gap', hash), { method: 'HEAD', headers: auth() })).status, 404);

  const unknown = await fetch(partUrl('mp-gap', hash, 'no-such-upload', 1), { method: 'PUT', body: 'x', headers: auth() });
  assert.equal(unknown.status, 404);
  assert.equal(await errorCode(unknown), 'no_such_upload');

  const aborted = await fetch(fileUrl('mp-gap', hash, `/uploads/${encodeURIComponent(uploadId)}`), { method: 'DELETE', headers: auth() });
  assert.equal(aborted.status, 204);
  const afterAbort = await completeUpload('mp-gap', hash, uploadId, [p1, p2, p3]);
  assert.equal(afterAbort.status, 404);
  assert.equal((await fetch(fileUrl('mp-gap', hash), { method: 'HEAD', headers: auth() })).status, 404);
});

test('a deleted file keeps its bytes through the grace period, goes after it, and a restore within it keeps them', async () => {
  const quick = await startBackend({ port: 0, persistTo: path.join(stateDir, 'grace'), vars: { DELETE_GRACE_SECONDS: '2' } });
  const at = (fileId, hash, suffix = '') => `${quick.url}/api/stores/${store}/files/${fileId}/${hash}${suffix}`;
  const head = async (fileId, hash) => (await fetch(at(fileId, hash), { method: 'HEAD', headers: auth() })).status;
  try {
    const gone = randomBytes(1000);
    const kept = randomBytes(1000);
    for (const [id, bytes] of [['gone', gone], ['kept', kept]]) {
      assert.equal((await fetch(at(id, contentHash(bytes)), { method: 'PUT', body: bytes, headers: auth() })).status, 201);
      const deleted = await fetch(at(id, contentHash(bytes)), { method: 'DELETE', headers: auth() });
      assert.equal(deleted.status, 202);
      assert.ok(Date.parse((await deleted.json()).pendingDeleteAt) > Date.now());
    }
    assert.equal(await head('gone', contentHash(gone)), 200, 'still there during the grace period');
    const restored = await fetch(at('kept', contentHash(kept), '/restore'), { method: 'POST', headers: auth() });
    assert.equal(restored.status, 200);

    const deadline = Date.now() + 15_000;
    while ((await head('gone', contentHash(gone))) !== 404 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await head('gone', contentHash(gone)), 404, 'removed after the grace period');
    assert.equal(await head('kept', contentHash(kept)), 200, 'the restored file was kept');
    const late = await fetch(at('gone', contentHash(gone), '/restore'), { method: 'POST', headers: auth() });
    assert.equal(late.status, 404);
  } finally {
    await quick.stop();
  }
});

test('every route refuses a missing token, another store’s token, and a read-only token where it writes', async () => {
  const bytes = randomBytes(100);
  const hash = contentHash(bytes);
  const readOnly = await devToken(store, ['read']);
  const otherStore = await devToken('another-store');
  const routes = [
    ['GET', '', 'read'],
    ['HEAD', '', 'read'],
    ['PUT', '', 'write'],
    ['DELETE', '', 'write'],
    ['POST', '/restore', 'write'],
    ['POST', '/uploads', 'write'],
    ['PUT', '/uploads/some-upload/parts/1', 'write'],
    ['POST', '/uploads/some-upload/complete', 'write'],
    ['DELETE', '/uploads/some-upload', 'write'],
  ];
  // Each route at the file's own path and at the store's one file route, the file named in `x-file-path`.
  for (const [[method, suffix, scope], byHeader] of routes.flatMap((route) => [[route, false], [route, true]])) {
    const call = (headers) =>
      byHeader
        ? fetch(fileRoute(), { method, headers: { ...headers, 'x-file-path': `matrix/${hash}${suffix}` }, ...(method === 'PUT' ? { body: bytes } : {}) })
        : fetch(fileUrl('matrix', hash, suffix), { method, headers, ...(method === 'PUT' ? { body: bytes } : {}) });
    const label = `${method} …${suffix}${byHeader ? ' (named in x-file-path)' : ''}`;
    assert.equal((await call({})).status, 401, `${label} without a token`);
    assert.equal((await call(auth(otherStore))).status, 403, `${label} with another store's token`);
    const asReader = (await call(auth(readOnly))).status;
    if (scope === 'write') assert.equal(asReader, 403, `${label} with a read-only token`);
    else assert.notEqual(asReader, 403, `${label} is allowed to read`);
  }
});

test("a store's one file route answers as a file's own path does for the file its header names, tells a cache to keep them apart, and names nothing a path could not", async () => {
  const bytes = randomBytes(1000);
  const hash = contentHash(bytes);
  const named = (filePath, extra = {}) => ({ ...auth(), 'x-file-path': filePath, ...extra });
  const stored = await fetch(fileRoute(), { method: 'PUT', body: bytes, headers: named(`by-header/${hash}`, { 'content-type': 'application/octet-stream', 'x-content-sha256': sha256(bytes) }) });
  assert.equal(stored.status, 201);
  await stored.body?.cancel();
  const byPath = await fetch(fileUrl('by-header', hash), { headers: auth() });
  assert.deepEqual(Buffer.from(await byPath.arrayBuffer()), bytes, 'stored where its own path finds it');
  const byHeader = await fetch(fileRoute(), { headers: named(`by-header/${hash}`, { range: 'bytes=10-19' }) });
  assert.equal(byHeader.status, 206);
  assert.deepEqual(Buffer.from(await byHeader.arrayBuffer()), bytes.subarray(10, 20));
  assert.match(byHeader.headers.get('vary') ?? '', /x-file-path/i, 'one URL for every file: a cache must vary on the header');
  assert.equal(byHeader.headers.get('cache-control'), 'no-store', "a browser's cache, one file at a time at one URL, keeps none of them");
  assert.match(byPath.headers.get('cache-control') ?? '', /immutable/, "a file's own path may still be kept");

  const other = await devToken('another-store');
  const refused = await fetch(fileRoute('another-store'), { headers: { ...auth(other), 'x-file-path': `by-header/${hash}` } });
  assert.equal(refused.status, 404, "another store's route does not reach this store's file");
  await refused.body?.cancel();
  for (const filePath of [null, '', `../../another-store/files/by-header/${hash}`, `..%2f..%2fanother-store/${hash}`, `%2e%2e/${hash}`, `by-header/${hash}?x=1`, `a/b/${hash}`, `by-header/${hash}/uploads/x/parts/0`]) {
    const res = await fetch(fileRoute(), { headers: filePath === null ? auth() : named(filePath) });
    assert.equal(res.status, 400, String(filePath));
    assert.equal(await errorCode(res), 'bad_request');
  }
  const preflight = await fetch(fileRoute(), { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,x-file-path' } });
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-file-path/i);
  assert.ok(Number(preflight.headers.get('access-control-max-age')) > 0, 'the answer may be cached');
});

test('an unsatisfiable range is answered 416, and CORS names only allowed origins', async () => {
  const bytes = randomBytes(100);
  assert.equal((await put('ranged', bytes)).status, 201);
  const res = await fetch(fileUrl('ranged', contentHash(bytes)), { headers: { ...auth(), range: 'bytes=500-600' } });
  assert.equal(res.status, 416);
  await res.body?.cancel();

  const strict = await startBackend({ port: 0, persistTo: path.join(stateDir, 'cors'), vars: { ALLOWED_ORIGINS: 'https://app.example' } });
  try {
    const at = `${strict.url}/api/stores/${store}/files/ranged/${contentHash(bytes)}`;
    const allowed = await fetch(at, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    const refused = await fetch(at, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } });
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  } finally {
    await strict.stop();
  }
});

test('range and conditional answers as HTTP says: an empty file whole, no bytes for bytes=-0, a future date ignored, 304 for a current copy', async () => {
  const empty = Buffer.alloc(0);
  assert.equal((await put('empty', empty)).status, 201);
  const whole = await fetch(fileUrl('empty', contentHash(empty)), { headers: { ...auth(), range: 'bytes=0-10' } });
  assert.equal(whole.status, 200, 'no byte of an empty file can be asked for: it is sent whole');
  assert.equal((await whole.arrayBuffer()).byteLength, 0);

  const bytes = Buffer.from('some bytes to range over');
  assert.equal((await put('ranges', bytes)).status, 201);
  const at = fileUrl('ranges', contentHash(bytes));
  const none = await fetch(at, { headers: { ...auth(), range: 'bytes=-0' } });
  assert.equal(none.status, 416);
  assert.equal(none.headers.get('content-range'), `bytes */${bytes.length}`);
  await none.body?.cancel();
  const tail = await fetch(at, { headers: { ...auth(), range: 'bytes=-5' } });
  assert.equal(tail.status, 206);
  assert.equal(Buffer.from(await tail.arrayBuffer()).toString(), bytes.subarray(-5).toString());

  const future = await fetch(at, { headers: { ...auth(), 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() } });
  assert.equal(future.status, 200, 'a date in the future is ignored');
  await future.body?.cancel();
  // A second later, so that the date (whole seconds) is not before the upload.
  await new Promise((r) => setTimeout(r, 1100));
  const current = await fetch(at, { headers: { ...auth(), 'if-modified-since': new Date().toUTCString() } });
  assert.equal(current.status, 304, 'a copy as new as the file is current');
  await current.body?.cancel();
});

test('malformed conditional and range headers are ignored, as HTTP says, not answered with a 5xx', async () => {
  const bytes = Buffer.from('conditional bytes');
  assert.equal((await put('cond', bytes)).status, 201);
  for (const headers of [{ 'if-none-match': '!' }, { 'if-match': 'nope' }, { 'if-modified-since': 'yesterday' }, { range: 'bytes=5-1' }, { range: 'bytes=0-1,4-5' }, { range: 'lines=1-2' }]) {
    const got = await fetch(fileUrl('cond', contentHash(bytes)), { headers: { ...auth(), ...headers } });
    assert.equal(got.status, 200, JSON.stringify(headers));
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
  }
});

test('bytes an upload left at its staging key, its worker ended before pointing to them (fault injected: INJECT_FAULT ends each upload there), are deleted after the upload lifetime; the file uploaded again stays', async () => {
  const dir = path.join(stateDir, 'left-staged');
  const storeId = 'left-staged';
  const headers = auth(await devToken(storeId));
  const single = randomBytes(3000);
  const parted = randomBytes(5000);
  const uploads = async (url) => {
    const at = (fileId, bytes, suffix = '') => `${url}/api/stores/${storeId}/files/${fileId}/${contentHash(bytes)}${suffix}`;
    const putSingle = await fetch(at('single', single), { method: 'PUT', body: single, headers });
    const created = await fetch(at('parted', parted, '/uploads'), { method: 'POST', body: JSON.stringify({ size: parted.length }), headers });
    assert.equal(created.status, 201);
    const upload = `/uploads/${encodeURIComponent((await created.json()).uploadId)}`;
    const part = await fetch(at('parted', parted, `${upload}/parts/1`), { method: 'PUT', body: parted, headers });
    assert.equal(part.status, 200);
    const complete = await fetch(at('parted', parted, `${upload}/complete`), { method: 'POST', body: JSON.stringify({ parts: [await part.json()] }), headers });
    return [putSingle.status, complete.status];
  };
  const lifetime = { UPLOAD_LIFETIME_SECONDS: '2' };
  const faulty = await startBackend({ port: 0, persistTo: dir, vars: { ...lifetime, INJECT_FAULT: 'end-after-staging' } });
  try {
    assert.deepEqual(await uploads(faulty.url), [500, 500], 'both uploads ended by the fault');
  } finally {
    await faulty.stop();
  }
  const left = [...(await readBucket(dir, `stores/${storeId}/`)).keys()];
  assert.equal(left.length, 2, `the fault left both uploads' bytes at staging keys: ${left.join(', ')}`);
  assert.ok(left.every((key) => /\/u-[^/]+$/.test(key)), `staging keys only: ${left.join(', ')}`);

  const healthy = await startBackend({ port: 0, persistTo: dir, vars: lifetime });
  try {
    assert.deepEqual(await uploads(healthy.url), [201, 201], 'both files uploaded again');
    // The janitor's alarm is due from the moment the lifetime ended; a few seconds for it to run.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  } finally {
    await healthy.stop();
  }
  const kept = await readBucket(dir, `stores/${storeId}/`);
  assert.deepEqual(
    [...kept].sort(),
    [
      [`stores/${storeId}/files/parted/${contentHash(parted)}`, contentHash(parted)],
      [`stores/${storeId}/files/single/${contentHash(single)}`, contentHash(single)],
    ].sort(),
    'each file under its content key, and nothing left at a staging key',
  );
});
