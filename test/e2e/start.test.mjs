// `npm start`, the README's first command: it builds what it needs, starts the backend and serves a demo
// page with a token, on the ports it is given; stopping it stops the backend too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/backend.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('npm start serves the demo with a token and the local backend, on PORT and BACKEND_PORT', async () => {
  const [port, backendPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BACKEND_PORT: String(backendPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.match(output, new RegExp(`Demo: +http://127\\.0\\.0\\.1:${port}/`));
    assert.match(output, new RegExp(`Backend: +http://127\\.0\\.0\\.1:${backendPort}`));
    const page = await fetch(`http://127.0.0.1:${port}/?store=start-test`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<ls-file-sync endpoint="http:\/\/127\.0\.0\.1:\d+" store-id="start-test" token="ey[\w.-]+"/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/kit/ls-file-sync.js`)).status, 200);
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${backendPort}/health`)).json(), { ok: true });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await assert.rejects(fetch(`http://127.0.0.1:${backendPort}/health`), 'the backend stopped with it');
});
