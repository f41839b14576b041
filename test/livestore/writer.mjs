// One plain LiveStore Node client (no kit code but the schema) that commits `count` FileCreated events a few
// tens of milliseconds apart, then waits until it sees `total` files (at most `waitSeconds`), prints what it
// has as one JSON line, and stays open until its standard input ends: its last events may still be on their
// way to the backend when it has seen every record, so the coordinator (concurrent-writers.mjs) ends the
// writers only once all of them are done. With `count` 0 it is a reader. With `reopen`, its store shuts down
// when LiveStore's sync fails (onSyncError: 'shutdown') and is opened again from its persisted state.
// usage: node --experimental-websocket writer.mjs <backendUrl> <storeId> <token> <name> <count> <total> <memory|reopen> <waitSeconds>
// LSFS_WS_LOG=<prefix> writes every WebSocket frame (tag, request id, sequence numbers) to <prefix>-<name>.log.
import { makeAdapter } from '@livestore/adapter-node';
import { createStorePromise, makeShutdownDeferred, queryDb } from '@livestore/livestore';
import { makeWsSync } from '@livestore/sync-cf/client';
import { Deferred, Effect } from 'effect';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileSyncEvents, fileSyncSchema, filesTable } from '../../dist/server/schema.js';
import { offerToken } from '../../dist/server/token-socket.js';

const [backendUrl, storeId, token, name, count, total, mode, waitSeconds = '30'] = process.argv.slice(2);
// The token goes in the socket's subprotocol: the backend refuses one in the sync URL.
offerToken(backendUrl.replace(/^http/, 'ws'), storeId, () => token);

if (process.env.LSFS_WS_LOG) {
  const file = `${process.env.LSFS_WS_LOG}-${name}.log`;
  const started = Date.now();
  const log = (line) => appendFileSync(file, `${Date.now() - started} ${line}\n`);
  const brief = (data) => {
    try {
      const m = JSON.parse(data);
      const batch = m.values?.[0]?.batch ?? m.payload?.batch;
      const events = batch ? ` events=${batch.map((e) => `${(e.eventEncoded ?? e).seqNum}<${(e.eventEncoded ?? e).parentSeqNum}`).join(',')}` : '';
      return `${m._tag} ${m.tag ?? ''} id=${m.id ?? m.requestId ?? ''}${events} ${m.exit ? JSON.stringify(m.exit).slice(0, 200) : ''}`;
    } catch {
      return String(data).slice(0, 200);
    }
  };
  const Native = globalThis.WebSocket;
  globalThis.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => log(`< ${brief(e.data)}`));
    }
    send(data) {
      log(`> ${brief(data)}`);
      return super.send(data);
    }
  };
}

const directory = mkdtempSync(path.join(tmpdir(), 'ls-writer-'));
const clientId = `node-${name}-${Math.random().toString(36).slice(2, 8)}`;
let store;
let reopens = 0;
let finished = false;

async function open() {
  const adapter = makeAdapter({
    storage: mode === 'reopen' ? { type: 'fs', baseDirectory: directory } : { type: 'in-memory' },
    clientId,
    sync: {
      backend: makeWsSync({ url: backendUrl.replace(/^http/, 'ws') }),
      initialSyncOptions: { _tag: 'Blocking', timeout: 5000 },
      onSyncError: mode === 'reopen' ? 'shutdown' : 'ignore',
    },
  });
  const shutdownDeferred = Effect.runSync(makeShutdownDeferred);
  const opened = await createStorePromise({ adapter, schema: fileSyncSchema, storeId, disableDevtools: true, shutdownDeferred });
  Effect.runPromise(Deferred.await(shutdownDeferred)).catch(async () => {
    if (mode !== 'reopen' || finished) return;
    reopens++;
    store = undefined;
    store = await open();
  });
  return opened;
}

store = await open();
const files$ = queryDb(filesTable);
const commit = async (event) => {
  for (;;) {
    while (store === undefined) await new Promise((r) => setTimeout(r, 20));
    try {
      return store.commit(event);
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
};
for (let i = 0; i < Number(count); i++) {
  const id = `${name}-${i}`;
  await commit(fileSyncEvents.fileCreated({ id, name: id, type: 'text/plain', size: 1, hash: 'a'.repeat(64), createdAt: Date.now() }));
  await new Promise((r) => setTimeout(r, Math.random() * 60));
}
const ids = () => new Set(store ? store.query(files$).map((f) => f.id) : []);
const deadline = Date.now() + Number(waitSeconds) * 1000;
while (Date.now() < deadline && ids().size < Number(total)) await new Promise((r) => setTimeout(r, 100));
const seen = ids();
console.log(JSON.stringify({ name, ids: [...seen], reopens }));
await new Promise((resolve) => {
  process.stdin.on('end', resolve).on('close', resolve).resume();
});
finished = true;
await store?.shutdownPromise().catch(() => {});
process.exit(0);
