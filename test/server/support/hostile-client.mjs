// usage: node --experimental-websocket hostile-client.mjs <backendUrl> <storeId> <token> <case> [<content hash>]
// A real LiveStore Node client whose schema names the kit's events with looser arguments (or events of its own),
// as a client with a write token that is buggy, old or hostile could: it commits one such event, gives the
// backend five seconds, and prints one JSON line saying whether it was connected. The fault is on purpose.
import { makeAdapter } from '@livestore/adapter-node';
import { createStorePromise, Events, makeSchema, Schema, State } from '@livestore/livestore';
import { makeWsSync } from '@livestore/sync-cf/client';
import { Effect } from 'effect';
import { offerToken } from '../../../dist/server/token-socket.js';

const [backendUrl, storeId, token, which, heldHash = 'd'.repeat(64)] = process.argv.slice(2);
// The token goes in the socket's subprotocol: the backend refuses one in the sync URL.
offerToken(backendUrl.replace(/^http/, 'ws'), storeId, () => token);
const hash = 'b'.repeat(64);
const cases = {
  // The control: an event as the kit makes it, which the backend takes.
  valid: { name: 'lsfs.v1.FileCreated', args: { id: 'fine-1', name: 'fine.txt', type: 'text/plain', size: 1, hash, createdAt: 1 } },
  'created-without-fields': { name: 'lsfs.v1.FileCreated', args: { id: 'evil-1' } },
  'name-too-long': { name: 'lsfs.v1.FileCreated', args: { id: 'evil-2', name: 'x'.repeat(400_000), type: 'text/plain', size: 1, hash, createdAt: 1 } },
  'extra-property': { name: 'lsfs.v1.FileCreated', args: { id: 'evil-3', name: 'a', type: 'text/plain', size: 1, hash, createdAt: 1, html: '<img src=x>' } },
  'negative-size': { name: 'lsfs.v1.FileCreated', args: { id: 'evil-4', name: 'a', type: 'text/plain', size: -5, hash, createdAt: 1 } },
  'uploaded-elsewhere': { name: 'lsfs.v1.FileUploaded', args: { id: 'evil-5', hash, remoteKey: '../../../../../account/export?x=', uploadedAt: 1 } },
  // Bytes the test uploaded (their hash given), recorded as uploaded: the control, which the backend takes.
  'uploaded-held': { name: 'lsfs.v1.FileUploaded', args: { id: 'held-1', hash: heldHash, remoteKey: `held-1/${heldHash}`, uploadedAt: 1 } },
  // Well formed, but no bytes were ever uploaded: the owning device would stop uploading and could evict its copy.
  'uploaded-never': { name: 'lsfs.v1.FileUploaded', args: { id: 'evil-9', hash, remoteKey: `evil-9/${hash}`, uploadedAt: 1 } },
  'preview-url': { name: 'lsfs.v1.ImageMetaSet', args: { id: 'evil-6', hash, width: 1, height: 1, preview: 'https://tracker.example/pixel.gif' } },
  'unknown-version': { name: 'lsfs.v9.FileCreated', args: { id: 'evil-7' } },
  'app-event': { name: 'app.TodoAdded', args: { id: 'evil-8' } },
};
const chosen = cases[which];
if (chosen === undefined) throw new Error(`no case ${which}; cases: ${Object.keys(cases).join(', ')}`);

const loose = Events.synced({ name: chosen.name, schema: Schema.Unknown });
const table = State.SQLite.table({ name: 'nothing', columns: { id: State.SQLite.text({ primaryKey: true }) } });
const schema = makeSchema({
  events: { loose },
  state: State.SQLite.makeState({ tables: { table }, materializers: State.SQLite.materializers({ loose }, { [chosen.name]: () => [] }) }),
});
const adapter = makeAdapter({
  storage: { type: 'in-memory' },
  clientId: `hostile-${Math.random().toString(36).slice(2, 8)}`,
  sync: { backend: makeWsSync({ url: backendUrl.replace(/^http/, 'ws') }), initialSyncOptions: { _tag: 'Blocking', timeout: 5000 } },
});
const store = await createStorePromise({ adapter, schema, storeId, disableDevtools: true });
store.commit(loose(chosen.args));
// The backend answers a push within a second here; the test reads what it took from the backend's own manifest.
await new Promise((r) => setTimeout(r, 5000));
const answer = { connected: (await Effect.runPromise(store.networkStatus.get)).isConnected };
// Printed once the store is shut down: LiveStore logs its shutdown to stdout, and the answer is the last line.
await store.shutdownPromise().catch(() => {});
console.log(JSON.stringify(answer));
process.exit(0);
