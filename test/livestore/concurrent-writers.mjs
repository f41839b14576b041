// Two plain LiveStore 0.4 clients write to one store at once through the kit's worker (under wrangler dev),
// with no kit code in the clients; once both have seen every record, a third client opened afresh reads
// what the backend holds. Before the project's patch of @livestore/common (patches/, docs/reliability.md)
// records were lost in every round. `npm test` runs a bounded size of it (concurrent-writers.test.mjs).
// usage: npm run build && node test/livestore/concurrent-writers.mjs [rounds=3] [events per writer=40] [memory|reopen] [production|development]
// Prints, per round, how many of the 2 × N records each client ended with and which are missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToken, startBackend } from '../../scripts/backend.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WRITERS = ['a', 'b'];

/**
 * Starts one writer (or, with count 0, a reader); resolves with its first JSON line and a function that ends
 * it. A writer that prints nothing within its wait and a minute more fails, saying so.
 */
function startClient({ args, nodeEnv, waitSeconds }) {
  const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', path.join(here, 'writer.mjs'), ...args, String(waitSeconds)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: nodeEnv },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const end = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const result = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`client ${args[3]} printed no result within ${waitSeconds + 60} s; its stderr:\n${err.slice(-4000)}`));
    }, (waitSeconds + 60) * 1000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ ...JSON.parse(line), stderr: () => err });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`client ${args[3]} exited (${code}) before its result; its stderr:\n${err.slice(-4000)}`));
    });
  });
  return { result, end };
}

/**
 * Runs `rounds` rounds of two writers of `count` records each against a fresh local backend. Returns one
 * entry per round: what each writer and the fresh reader ended with (`missing` ids).
 */
export async function runConcurrentWriters({ rounds = 3, count = 40, mode = 'memory', nodeEnv = 'production', waitSeconds = 30, log = console.log } = {}) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'ls-writers-'));
  const backend = await startBackend({ port: 0, persistTo: stateDir });
  const expected = WRITERS.flatMap((w) => Array.from({ length: count }, (_, i) => `${w}-${i}`));
  const report = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const storeId = `writers-${Date.now().toString(36)}-${round}`;
      const token = await devToken(storeId);
      const clientArgs = (name, n) => [backend.url, storeId, token, name, String(n), String(expected.length), mode];
      const writers = WRITERS.map((name) => startClient({ args: clientArgs(name, count), nodeEnv, waitSeconds }));
      try {
        const results = await Promise.all(writers.map((w) => w.result));
        // Opened only now, so it reads what the backend holds once both writers have seen everything.
        const reader = startClient({ args: clientArgs('fresh', 0), nodeEnv, waitSeconds });
        try {
          results.push(await reader.result);
        } finally {
          await reader.end();
        }
        const clients = results.map((r) => {
          const seen = new Set(r.ids);
          return { name: r.name, seen: seen.size, reopens: r.reopens, missing: expected.filter((id) => !seen.has(id)), stderr: r.stderr };
        });
        for (const c of clients) {
          log(`round ${round} client ${c.name}: ${c.seen} of ${expected.length} records, ${c.reopens} reopens${c.missing.length ? `, missing ${c.missing.join(' ')}` : ''}`);
        }
        report.push({ round, clients });
      } finally {
        await Promise.all(writers.map((w) => w.end()));
      }
    }
  } finally {
    await backend.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rounds = '3', count = '40', mode = 'memory', nodeEnv = 'production'] = process.argv.slice(2);
  const report = await runConcurrentWriters({ rounds: Number(rounds), count: Number(count), mode, nodeEnv });
  const clients = report.flatMap((r) => r.clients);
  const incomplete = clients.filter((c) => c.missing.length > 0).length;
  console.log(`${incomplete} of ${clients.length} clients incomplete (two writers and a fresh reader per round)`);
  process.exit(incomplete === 0 ? 0 : 1);
}
