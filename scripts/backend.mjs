// Starts the kit's worker locally with `wrangler dev` (workerd, offline, no account), bound to 127.0.0.1.
// As a module: `startBackend({ port, persistTo })` resolves once /health answers and returns `stop()`,
// (`port: 0` picks a free port, and another if something else takes it first)
// which ends wrangler and workerd by their process group. As a script: runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The development secret: signs dev tokens on the local backend only. Never used by a deployed worker. */
export const DEV_SECRET = 'dev-only-secret-for-the-local-backend-000';

/**
 * Starts the worker under `wrangler dev` on 127.0.0.1 and resolves once `/health` answers 200 (with
 * `healthy: false`, once it answers at all: a worker configured wrongly on purpose answers 500). With
 * `rateLimit: { limit, period }`, Cloudflare's rate limiting binding is bound as a deployment would bind it;
 * with `main`, that module is the worker instead of the kit's (one that mounts the kit's pieces, say).
 */
export async function startBackend(options = {}) {
  if (options.port !== 0) return startOn(options.port ?? 8787, options);
  // A port found free can be taken by another process before workerd binds it (test files run side by
  // side, each starting servers): try another one then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), options);
    } catch (error) {
      if (attempt >= 5 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOn(port, { persistTo = path.join(root, '.wrangler/state'), quiet = true, vars = {}, healthy = true, rateLimit, main } = {}) {
  const wrangler = path.join(root, 'node_modules/wrangler/bin/wrangler.js');
  const args = [
    wrangler, 'dev', '--local', ...(rateLimit || main ? ['--config', configWith({ rateLimit, main })] : []), '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', '0', '--persist-to', persistTo, '--show-interactive-dev-session=false',
    '--var', `AUTH_SECRET:${DEV_SECRET}`, '--var', 'DEV_TOKENS:true',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true, // own process group, so stop() ends workerd too
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
  });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  let exited = false;
  // If this process ends without calling stop() (a crash, an uncaught error), take the backend with it.
  const killOnExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
  process.on('exit', killOnExit);
  child.on('exit', () => { exited = true; process.off('exit', killOnExit); });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!exited) try { process.kill(-child.pid, 'SIGKILL'); } catch {}
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) {
      const message = `wrangler dev exited before it was ready:\n${output}`;
      throw /Address already in use/.test(output) ? new PortTaken(message) : new Error(message);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok || !healthy) return { url, pid: child.pid, stop, output: () => output };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within 60 s:\n${output}`);
}

/**
 * The project's wrangler config with Cloudflare's rate limiting binding added (`rateLimit: { limit, period }`),
 * as a deployment would bind it (README, "Rate limits"), and another worker module as `main`; written to a
 * temporary file, whose path is returned.
 */
function configWith({ rateLimit, main }) {
  // The project's config has comments on lines of their own only.
  const config = JSON.parse(readFileSync(path.join(root, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  config.main = path.resolve(root, main ?? config.main);
  if (rateLimit) config.ratelimits = [{ name: 'RATE_LIMITER', namespace_id: '1001', simple: rateLimit }];
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ls-wrangler-')), 'wrangler.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * Mints a development token for the local backend, here in Node with the kit's own token helper (built to
 * dist/server by `npm run build`), so pages can be served while the backend is down.
 */
export async function devToken(storeId, scopes = ['read', 'write'], ttlSeconds = 7 * 24 * 3600) {
  const { mintToken } = await import('../dist/server/tokens.js');
  return mintToken({ secret: DEV_SECRET, storeId, scopes, ttlSeconds, subject: 'dev' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.BACKEND_PORT ?? 8787);
  const backend = await startBackend({ port, quiet: false });
  console.log(`Local backend: ${backend.url} (pid ${backend.pid})`);
  const end = async () => { await backend.stop(); process.exit(0); };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
