// usage: node --experimental-websocket livestore-client.mjs <backendUrl> <storeId> <token> <write|read> [<fileId>:<sha256>…]
//        node --experimental-websocket livestore-client.mjs <backendUrl> <storeId> <token> watch <seconds>
//        node --experimental-websocket livestore-client.mjs <backendUrl> <storeId> <token> write-after <seconds> <fileId>:<sha256>
// Prints one JSON line: what it committed or what file names it pulled, and whether it connected. `write`
// records the files given (by default one, `node-file`, with a made-up hash); `watch` stays connected for
// the seconds given and then says which file names it has; `write-after` connects, and records the file the
// seconds given later over the same connection.
import { makeAdapter } from '@livestore/adapter-node';
import { createStorePromise, queryDb } from '@livestore/livestore';
import { makeWsSync } from '@livestore/sync-cf/client';
import { Effect } from 'effect';
import { fileSyncEvents, fileSyncSchema, filesTable } from '../../../dist/server/schema.js';
import { offerToken } from '../../../dist/server/token-socket.js';

const [backendUrl, storeId, token, mode, ...files] = process.argv.slice(2);
// The token goes in the socket's subprotocol: the backend refuses one in the sync URL.
offerToken(backendUrl.replace(/^http/, 'ws'), storeId, () => token);
const adapter = makeAdapter({
  storage: { type: 'in-memory' },
  clientId: `node-${mode}-${Math.random().toString(36).slice(2, 8)}`,
  sync: { backend: makeWsSync({ url: backendUrl.replace(/^http/, 'ws') }), initialSyncOptions: { _tag: 'Blocking', timeout: 5000 } },
});
const store = await createStorePromise({ adapter, schema: fileSyncSchema, storeId, disableDevtools: true });
const connected = async () => (await Effect.runPromise(store.networkStatus.get)).isConnected;
// Printed once the store is shut down: LiveStore logs its shutdown to stdout, and the answer is the last line.
let answer;

if (mode === 'write-after') await new Promise((r) => setTimeout(r, Number(files.shift()) * 1000));
if (mode === 'write' || mode === 'write-after') {
  const named = files.length > 0 ? files.map((file) => file.split(':')) : [['node-file', 'a'.repeat(64)]];
  store.commit(
    ...named.map(([id, hash]) => fileSyncEvents.fileCreated({ id, name: id === 'node-file' ? 'from-node.txt' : `${id}.bin`, type: 'text/plain', size: 1, hash, createdAt: Date.now() })),
  );
  // Wait until the backend has the event (the session's pending events reach it through the leader).
  for (let i = 0; i < 100 && !store.syncStatus().isSynced; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1500));
  answer = { committed: true, connected: await connected() };
} else if (mode === 'watch') {
  await new Promise((r) => setTimeout(r, Number(files[0]) * 1000));
  answer = { names: store.query(queryDb(filesTable)).map((f) => f.name).sort(), connected: await connected() };
} else {
  const files$ = queryDb(filesTable);
  for (let i = 0; i < 40 && store.query(files$).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  answer = { names: store.query(files$).map((f) => f.name), connected: await connected() };
}
await store.shutdownPromise().catch(() => {});
console.log(JSON.stringify(answer));
process.exit(0);
