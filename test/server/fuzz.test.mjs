// Property-based fuzzing of the worker under workerd (fast-check): random methods, paths, headers, bodies
// and tokens against the file API and the sync endpoint. Whatever comes in: no 5xx, errors as JSON with a
// code, nothing stored, and the store's Durable Object still syncs afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startBackend, devToken, DEV_SECRET } from '../../scripts/backend.mjs';
import { readBucket } from '../support/r2.mjs';
import { contentHash } from '../support/content-hash.mjs';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
// A fixed seed inside `npm test`, so a red CI is reproducible and never a coin toss; FUZZ_SEED=random
// explores new inputs (fast-check prints the seed and the shrunk input of any failure).
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261122);
const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-fuzz-'));
const store = 'fuzz-store';
let backend;
let tokens;
const seen = { requests: 0, byStatus: {} };

before(async () => {
  backend = await startBackend({ port: 0, persistTo: stateDir });
  const { mintToken } = await import('../../dist/server/tokens.js');
  tokens = [
    await devToken(store),
    await devToken(store, ['read']),
    await devToken('other-store'),
    await mintToken({ secret: DEV_SECRET, storeId: store, scopes: ['read', 'write'], ttlSeconds: -60 }),
    await mintToken({ secret: 'not-the-secret-'.repeat(3), storeId: store, scopes: ['read', 'write'] }),
  ];
  // One object stored on purpose, in a store the fuzzer never names: proof that the final listing sees R2.
  const stored = await fetch(`${backend.url}/api/stores/control-store/files/control/${contentHash('control')}`, {
    method: 'PUT',
    body: 'control',
    headers: { authorization: `Bearer ${await devToken('control-store')}` },
  });
  assert.equal(stored.status, 201);
});
after(async () => {
  await backend?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  console.log(`fuzz: ${seen.requests} requests, by status ${JSON.stringify(seen.byStatus)}`);
});


// Path segments an attacker would try, and plain junk.
const segment = fc.oneof(
  fc.constantFrom(store, 'other-store', 'file-1', '..', '.', '%2e%2e', '..%2F..', '%2F', '%00', '%E2%80%AE', 'ａｂｃ', '\u202Eexe', 'a'.repeat(300), ''),
  fc.constantFrom(contentHash('x'), '0'.repeat(64), 'F'.repeat(64), contentHash('x').slice(0, 63)),
  fc.stringMatching(/^[A-Za-z0-9_%.-]{0,40}$/),
);
const tail = fc.oneof(
  fc.constant(''),
  fc.constant('/restore'),
  fc.constant('/uploads'),
  fc.tuple(segment, fc.integer({ min: -2, max: 10_002 })).map(([id, n]) => `/uploads/${id}/parts/${n}`),
  fc.tuple(segment).map(([id]) => `/uploads/${id}/complete`),
  fc.tuple(segment).map(([id]) => `/uploads/${id}`),
);
// Mostly well-formed keys for the fuzzed store, so requests get past the path and reach the handlers.
const storeSegment = fc.oneof({ arbitrary: fc.constant(store), weight: 4 }, { arbitrary: segment, weight: 1 });
const idSegment = fc.oneof({ arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), weight: 3 }, { arbitrary: segment, weight: 1 });
const hashSegment = fc.oneof({ arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/), weight: 3 }, { arbitrary: segment, weight: 1 });
const filePath = fc.tuple(storeSegment, idSegment, hashSegment, tail).map(([s, f, h, t]) => `/api/stores/${s}/files/${f}/${h}${t}`);
const syncPath = fc
  .tuple(fc.constantFrom('/sync', '/', '/websocket', '/api/stores/x'), segment, fc.constantFrom('ws', 'http', 'ftp', ''), fc.option(fc.oneof(fc.json(), fc.string()), { nil: undefined }))
  .map(([p, s, transport, payload]) => `${p}?storeId=${s}&transport=${transport}${payload === undefined ? '' : `&payload=${encodeURIComponent(payload)}`}`);
const anyPath = fc.oneof(
  { arbitrary: filePath, weight: 6 },
  { arbitrary: syncPath, weight: 2 },
  { arbitrary: fc.webPath(), weight: 1 },
  { arbitrary: fc.constantFrom('/health', '/dev/tokens', '/api/stores/', '//api//stores'), weight: 1 },
);

const request = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND'),
  path: anyPath,
  token: fc.oneof({ arbitrary: fc.constantFrom(0, 0, 0, 1, 2, 3, 4), weight: 4 }, { arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: fc.string({ maxLength: 60 }), weight: 1 }),
  tokenIn: fc.constantFrom('authorization', 'protocol'),
  upgrade: fc.boolean(),
  headers: fc.dictionary(
    fc.constantFrom('content-type', 'range', 'if-none-match', 'origin', 'x-ls-part-size', 'content-encoding', 'expect'),
    fc.oneof(fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=999999999-', '*', 'null', 'text/html', 'gzip'), fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
    { maxKeys: 3 },
  ),
  body: fc.option(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.json().map((j) => new TextEncoder().encode(j))), { nil: undefined }),
});

/** Sends one request with node:http (fetch would refuse some of these methods and headers). */
function send({ method, path: target, token, tokenIn, upgrade, headers, body }) {
  const value = typeof token === 'number' ? tokens[token] : token;
  const all = { ...headers };
  if (value !== undefined) {
    if (tokenIn === 'authorization') all.authorization = `Bearer ${value}`;
    else all['sec-websocket-protocol'] = `ls-file-sync, ls-token.${value}`;
  }
  // Upgrades only on GET: wrangler's local dev proxy answers a WebSocket upgrade with any other method
  // with a bare 500 of its own, before the worker sees the request (a guard in the worker changes nothing).
  if (upgrade && method === 'GET') Object.assign(all, { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  if (body !== undefined) all['content-length'] = String(body.length);
  const { port } = new URL(backend.url);
  return new Promise((resolve, reject) => {
    // On the wire a path is ASCII: anything else goes percent-encoded, as a browser sends it.
    const wire = target.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
    const req = httpRequest({ host: '127.0.0.1', port, method, path: wire, headers: all, timeout: 20_000 }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (chunk) => (text += chunk.slice(0, 4096)));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] ?? '', text }));
      res.on('error', reject);
    });
    // A WebSocket accepted: the upgrade itself is the answer (101); close it.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, type: '', text: '' });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 20 s: ${method} ${target}`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : Buffer.from(body));
  });
}

test(`${RUNS} random requests to the file API and the sync endpoint: no 5xx, JSON errors, nothing stored`, async () => {
  await fc.assert(
    fc.asyncProperty(request, async (input) => {
      const res = await send(input);
      seen.requests++;
      seen.byStatus[res.status] = (seen.byStatus[res.status] ?? 0) + 1;
      assert.ok(res.status < 500, `${input.method} ${input.path} answered ${res.status}: ${res.text.slice(0, 200)}`);
      if (res.status >= 400 && input.method !== 'HEAD' && input.path.startsWith('/api/')) {
        assert.match(res.type, /json/, `${input.method} ${input.path}: ${res.status} without a JSON body`);
        assert.equal(typeof JSON.parse(res.text).error?.code, 'string');
      }
    }),
    { numRuns: RUNS, interruptAfterTimeLimit: 10 * 60_000, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
});

test('after the fuzzing, the store still syncs and R2 holds only the control object', async () => {
  // The store's Durable Object answers a real sync connection.
  const upgraded = await send({ method: 'GET', path: `/sync?storeId=${store}&transport=ws`, token: 0, tokenIn: 'protocol', upgrade: true, headers: {}, body: undefined });
  assert.equal(upgraded.status, 101);
  await backend.stop();
  assert.deepEqual([...(await readBucket(stateDir)).keys()], [`stores/control-store/files/control/${contentHash('control')}`]);
});
