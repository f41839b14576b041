/**
 * LiveStore's leader worker for the kit's schema. The page that starts it names the sync endpoint and the
 * store in its URL (`?sync=wss://...&store=...`), so one built file serves every backend; the access token
 * comes from the pages through `token-relay.ts` and goes in the WebSocket subprotocol header.
 */
import { makeWorker } from '@livestore/adapter-web/worker';
import { makeWsSync } from '@livestore/sync-cf/client';
import { fileSyncSchema } from '../store/schema.js';
import { receiveTokens, SYNC_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../store/token-relay.js';

const params = new URL(self.location.href).searchParams;
const syncUrl = params.get('sync');
const storeId = params.get('store');

if (syncUrl && storeId) {
  // The sockets open now: a page that finds this device no longer hears the backend has them closed, and
  // LiveStore's sync client opens a new one and pulls from where it was.
  const open = new Set<WebSocket>();
  const tokens = receiveTokens(storeId, () => {
    for (const socket of open) socket.close(4000, 'the page found this device behind the backend');
  });
  // LiveStore 0.4 opens its socket with the global constructor and takes no factory, so this worker (which
  // runs nothing else) gives it one that offers the token as a subprotocol on every (re)connection.
  const NativeWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const token = tokens.current();
      super(url, token ? [SYNC_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`] : protocols);
      open.add(this);
      this.addEventListener('close', () => open.delete(this));
    }
  };
}

makeWorker({
  schema: fileSyncSchema,
  ...(syncUrl ? { sync: { backend: makeWsSync({ url: syncUrl }) } } : {}),
});
