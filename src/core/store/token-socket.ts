/**
 * Offers a store's access token in the WebSocket subprotocol header (`ls-file-sync, ls-token.<jwt>`) of the
 * sync sockets LiveStore opens, never in their URL, where tokens end up in logs. LiveStore 0.4 opens its sync
 * socket with the global WebSocket constructor and takes no factory (its `webSocketFactory` option is declared
 * and unused), and puts its sync payload in the URL: so the realm's constructor is replaced once, and a socket
 * to a registered sync URL for a registered store gets that store's current token. Every other socket opens as
 * it would have. Works in a worker, a page and Node.
 */
import { SYNC_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from './token-relay.js';

interface Offer {
  readonly syncUrl: string;
  readonly storeId: string;
  readonly token: () => string | undefined;
}

const offers = new Set<Offer>();
/** Marks the constructor this module put in place, so that it is put in place again if something replaced it. */
const OFFERING = Symbol.for('ls-file-sync.offering-websocket');

/** The token registered for a socket to `url`, if any: LiveStore names the store in the URL's `storeId`. */
function tokenFor(url: string | URL): string | undefined {
  const text = String(url);
  let storeId: string | null = null;
  try {
    storeId = new URL(text).searchParams.get('storeId');
  } catch {
    return undefined;
  }
  for (const offer of offers) if (offer.storeId === storeId && text.startsWith(offer.syncUrl)) return offer.token();
  return undefined;
}

function install(): void {
  const Current = globalThis.WebSocket;
  if ((Current as unknown as Record<symbol, boolean>)[OFFERING]) return;
  globalThis.WebSocket = class extends Current {
    static readonly [OFFERING] = true;
    constructor(url: string | URL, protocols?: string | string[]) {
      const token = tokenFor(url);
      super(url, token ? [SYNC_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`] : protocols);
    }
  };
}

/**
 * From now on, sockets to `syncUrl` for `storeId` offer `token()` (read at each connection, so a refreshed
 * token is used on the next). Returns a function that withdraws the offer.
 */
export function offerToken(syncUrl: string, storeId: string, token: () => string | undefined): () => void {
  install();
  const offer: Offer = { syncUrl, storeId, token };
  offers.add(offer);
  return () => offers.delete(offer);
}
