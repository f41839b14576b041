// Two plain LiveStore 0.4 clients write to one store at once through the kit's worker (under wrangler dev),
// with no kit code in the clients: a reproduction of the LiveStore defect described in docs/reliability.md
// ("Known defect: both profiles writing at once"). Not part of `npm test`: it shows an upstream defect.
// usage: npm run build && node test/livestore/concurrent-writers.mjs [rounds=3] [events per writer=40] [memory|reopen]
// Prints, per round, how many of the 2 × N records each client ended with and which are missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToken, freePort, startBackend } from '../../scripts/backend.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [rounds = '3', count = '40', mode = 'memory'] = process.argv.slice(2);
const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-writers-'));
const backend = await startBackend({ port: await freePort(), persistTo: stateDir });

const writer = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', path.join(here, 'writer.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1))));
  });

let incomplete = 0;
try {
  for (let round = 1; round <= Number(rounds); round++) {
    const storeId = `writers-${Date.now().toString(36)}`;
    const token = await devToken(storeId);
    const results = await Promise.all(['a', 'b'].map((name) => writer([backend.url, storeId, token, name, count, String(2 * Number(count)), mode])));
    for (const r of results) {
      if (r.missing.length > 0) incomplete++;
      console.log(`round ${round} client ${r.name}: ${r.seen} of ${2 * Number(count)} records, ${r.reopens} reopens${r.missing.length ? `, missing ${r.missing.join(' ')}` : ''}`);
    }
  }
  const aheads = backend.output().match(/ServerAheadError/g)?.length ?? 0;
  console.log(`${incomplete} of ${2 * Number(rounds)} clients incomplete; the worker answered ServerAheadError ${aheads} times`);
} finally {
  await backend.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(incomplete === 0 ? 0 : 1);
