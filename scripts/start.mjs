// `npm start`: builds the kit, starts the local backend (wrangler dev, offline) and serves the demo.
// PORT (default 5173) and BACKEND_PORT (default 8787) choose the ports; both listen on 127.0.0.1 only.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from './backend.mjs';
import { startDemoServer } from './demo-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 5173);
const backendPort = Number(process.env.BACKEND_PORT ?? 8787);

console.log('Building the kit…');
// The kit for the page (dist/) and the server pieces (dist/server/: the demo server mints dev tokens with them).
execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { cwd: root, stdio: 'inherit' });

console.log('Starting the local backend…');
const backend = await startBackend({ port: backendPort });
const demo = await startDemoServer({ port, backendUrl: backend.url });

console.log(`
  Demo:     ${demo.url}/            (another store: ${demo.url}/?store=my-store)
  Backend:  ${backend.url}   (LiveStore sync + file API, state in .wrangler/state)

  Open the demo in two browser profiles to see files sync. Ctrl-C stops both.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all([demo.close(), backend.stop()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
