// `npm run storybook`: the stories run the real core, so this starts the local backend (and the test suite's
// fault proxy in front of it, for stories that show a fault on purpose), tells the stories where they are
// (.storybook/public/ls-backend.json), then Storybook's dev server. `npm run build-storybook` only builds.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from './backend.mjs';
import { startFaultProxy } from '../test/support/fault-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const publicDir = path.join(root, '.storybook/public');
const backendFile = path.join(publicDir, 'ls-backend.json');
const storybook = path.join(root, 'node_modules/storybook/dist/bin/dispatcher.js');
mkdirSync(publicDir, { recursive: true });
rmSync(backendFile, { force: true });

const run = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [storybook, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1' } });
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code) => resolve(code ?? 1));
  });

if (process.argv[2] === 'build') {
  process.exit(await run(['build', '--output-dir', 'storybook-static', '--quiet', '--disable-telemetry']));
}

const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-storybook-'));
const backend = await startBackend({ port: 0, persistTo: stateDir });
const proxy = await startFaultProxy({ target: backend.url });
writeFileSync(backendFile, JSON.stringify({ endpoint: backend.url, faulty: proxy.url }));
console.log(`Local backend on ${backend.url} (through the fault proxy: ${proxy.url})`);
const port = process.env.PORT ?? '6006';
const code = await run(['dev', '--port', port, '--host', '127.0.0.1', '--no-open', '--ci', '--disable-telemetry']);
await proxy.stop();
await backend.stop();
rmSync(stateDir, { recursive: true, force: true });
rmSync(backendFile, { force: true });
process.exit(code);
