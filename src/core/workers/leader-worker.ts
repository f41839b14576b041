/**
 * LiveStore's leader worker for the kit's schema. The page that starts it names the sync endpoint and the
 * store in its URL (`?sync=wss://...&store=...`), so one built file serves every backend; the access token
 * comes from the pages through `token-relay.ts` and goes in the WebSocket subprotocol header (`token-socket.ts`).
 */
import { makeWorker } from '@livestore/adapter-web/worker';
import { makeWsSync } from '@livestore/sync-cf/client';
import { fileSyncSchema } from '../store/schema.js';
import { receiveTokens } from '../store/token-relay.js';
import { offerToken } from '../store/token-socket.js';

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
  offerToken(syncUrl, storeId, () => tokens.current());
  const Offering = globalThis.WebSocket;
  globalThis.WebSocket = class extends Offering {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      open.add(this);
      this.addEventListener('close', () => open.delete(this));
    }
  };
}

makeWorker({
  schema: fileSyncSchema,
  ...(syncUrl ? { sync: { backend: makeWsSync({ url: syncUrl }) } } : {}),
});
