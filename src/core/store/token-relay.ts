/**
 * Carries the page's access token to LiveStore's leader worker, which opens the sync connection.
 *
 * Why not LiveStore's `syncPayload`: every tab of a store must give the same payload (a tab whose payload
 * differs dies when leadership moves to it), and the payload is fixed for the life of the leader, so a
 * token minted per page load, or refreshed when it expires, cannot travel that way. Instead the pages
 * answer the worker's requests on a BroadcastChannel and announce every new token; the worker uses the
 * latest one each time it (re)connects, in the WebSocket subprotocol header rather than in the URL. A page
 * that finds its device no longer hears the backend (sync/upstream-check.ts) asks the worker on the same
 * channel to open its connection again.
 */

type RelayMessage =
  | { readonly type: 'token-request' }
  | { readonly type: 'token'; readonly token: string }
  | { readonly type: 'reconnect' };

const channelName = (storeId: string) => `lsfs-token:${storeId}`;

/** The subprotocol the server echoes, and the prefix of the one that carries the token. */
export const SYNC_SUBPROTOCOL = 'ls-file-sync';
export const TOKEN_SUBPROTOCOL_PREFIX = 'ls-token.';

export interface TokenProvider {
  set(token: string): void;
  /** Asks the leader worker to close its sync connection, which LiveStore then opens again and pulls on. */
  reconnect(): void;
  close(): void;
}

/** Page side: answers the leader worker with the current token, and announces new ones. */
export function provideToken(storeId: string, initial: string): TokenProvider {
  let token = initial;
  if (typeof BroadcastChannel === 'undefined') return { set: (t) => void (token = t), reconnect: () => {}, close: () => {} };
  const channel = new BroadcastChannel(channelName(storeId));
  const announce = () => channel.postMessage({ type: 'token', token } satisfies RelayMessage);
  channel.onmessage = (event: MessageEvent<RelayMessage>) => {
    if (event.data.type === 'token-request' && token) announce();
  };
  if (token) announce();
  return {
    set(next) {
      token = next;
      announce();
    },
    reconnect: () => channel.postMessage({ type: 'reconnect' } satisfies RelayMessage),
    close: () => channel.close(),
  };
}

/** Worker side: the latest token any page of the store announced; `onReconnect` when a page asks to reconnect. */
export function receiveTokens(storeId: string, onReconnect: () => void): { current(): string | undefined; close(): void } {
  let latest: string | undefined;
  if (typeof BroadcastChannel === 'undefined') return { current: () => undefined, close: () => {} };
  const channel = new BroadcastChannel(channelName(storeId));
  channel.onmessage = (event: MessageEvent<RelayMessage>) => {
    if (event.data.type === 'token') latest = event.data.token;
    else if (event.data.type === 'reconnect') onReconnect();
  };
  channel.postMessage({ type: 'token-request' } satisfies RelayMessage);
  return { current: () => latest, close: () => channel.close() };
}
