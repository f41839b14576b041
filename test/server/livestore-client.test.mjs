// A real LiveStore Node client (@livestore/adapter-node) against the worker's sync backend: it syncs with a
// valid token and is refused with an invalid one. Node 20 needs --experimental-websocket for LiveStore's
// socket; the test starts each client in such a process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, freePort, devToken } from '../../scripts/backend.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-node-client-'));
let backend;
before(async () => {
  backend = await startBackend({ port: await freePort(), persistTo: stateDir });
});
after(async () => {
  await backend?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs the client script; resolves with what it printed as JSON on its last line. */
function client(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', path.join(here, 'support/livestore-client.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1);
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`client exited ${code}: ${out}\n${err}`));
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
});
