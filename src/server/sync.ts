/**
 * The LiveStore sync backend: one SQLite-backed Durable Object per store, reached over a WebSocket. The
 * client's token comes in the subprotocol header (`ls-token.<jwt>`), never in the URL: LiveStore puts its
 * sync payload there, and URLs end up in logs (a payload `{ authToken }` is refused, saying so).
 */
import { handleSyncRequest, makeDurableObject, matchSyncRequest } from '@livestore/sync-cf/cf-worker';
import { isFileAddress, objectKey } from './addresses.js';
import { otherEventsOf, refusedEvent, type OtherEvents } from './event-checks.js';
import { errorResponse } from './http.js';
import { janitorFor, janitorOf, type JanitorEnv } from './janitor.js';
import type { FilesEnv } from './objects.js';
import { servedHead } from './pointer.js';
import { ManifestFolder } from './manifest.js';
import { manifestRows } from '../core/sync/manifest.js';
import { checkAccess, type AccessEnv } from './access.js';

export interface SyncEnv extends AccessEnv {
  readonly SYNC_BACKEND_DO: DurableObjectNamespace;
  /** Optional here: without it (a sync-only deployment) nothing is told which bytes records name, and no token can be revoked. */
  readonly FILE_JANITOR?: JanitorEnv['FILE_JANITOR'];
  /** Optional here: with it, a record that bytes were uploaded is refused unless the backend held them. */
  readonly FILES?: R2Bucket;
  /** "accept" passes on events not named `lsfs.…` unchecked (an app that merged its own events in); the default refuses them. */
  readonly SYNC_OTHER_EVENTS?: string;
}

/** onPush gets no `env`: the constructor below, which runs first in the DO's isolate, leaves it here. */
const envHolder: { env?: SyncEnv; otherEvents?: OtherEvents } = {};

/** The kit's synced events that name a content of a file (see src/core/store/schema.ts; the worker does not bundle it). */
const NAMES_CONTENT = new Set(['lsfs.v1.FileCreated', 'lsfs.v1.FileReplaced', 'lsfs.v1.FileUploaded']);

/** The object keys of the contents a pushed batch names (of `names`' events only); malformed arguments name nothing. */
export function contentKeysOf(storeId: string, batch: readonly { readonly name: string; readonly args: unknown }[], names: ReadonlySet<string> = NAMES_CONTENT): string[] {
  const keys = new Set<string>();
  for (const { name, args } of batch) {
    if (!names.has(name) || typeof args !== 'object' || args === null) continue;
    const { id, hash } = args as { id?: unknown; hash?: unknown };
    const address = { storeId, fileId: id, hash };
    if (isFileAddress(address)) keys.add(objectKey(address));
  }
  return [...keys];
}

const RECORDS_UPLOAD: ReadonlySet<string> = new Set(['lsfs.v1.FileUploaded']);

/**
 * The first of `keys` whose bytes the backend never held, or undefined. Contents stored before the janitor
 * kept every key stored are looked for in the bucket.
 */
async function firstNeverHeld(env: Pick<FilesEnv, 'FILES'>, janitor: ReturnType<typeof janitorFor>, keys: readonly string[]): Promise<string | undefined> {
  if (keys.length === 0) return undefined;
  for (const key of await janitor.neverStored(keys)) {
    if ((await servedHead(env, key)) === null) return key;
  }
  return undefined;
}

/** The close code of a socket whose token ended: the client connects again with a fresh one (token relay). */
const TOKEN_ENDED_CLOSE_CODE = 4001;

/** What LiveStore's sync object keeps with each socket (JSON): its store and forwarded headers (and its sync payload). */
function socketAttachment(socket: WebSocket): { storeId: string; headers?: Record<string, string> } {
  try {
    const raw: unknown = socket.deserializeAttachment();
    const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { storeId?: unknown; headers?: Record<string, string> };
    return { storeId: typeof parsed.storeId === 'string' ? parsed.storeId : '', ...(parsed.headers ? { headers: parsed.headers } : {}) };
  } catch {
    return { storeId: '' };
  }
}

/** The subprotocol a browser client offers alongside `ls-token.<jwt>`, which the server echoes. */
const SYNC_SUBPROTOCOL = 'ls-file-sync';
const TOKEN_PREFIX = 'ls-token.';
const PROTOCOL_HEADER = 'sec-websocket-protocol';

/**
 * The client's token, from the WebSocket subprotocol header (a browser WebSocket cannot set Authorization;
 * the kit's clients offer it there, see src/core/store/token-socket.ts).
 */
function tokenOf(protocols: string | null | undefined): string | undefined {
  const offered = protocols?.split(',').map((p) => p.trim()).find((p) => p.startsWith(TOKEN_PREFIX));
  return offered?.slice(TOKEN_PREFIX.length);
}

/** Whether a sync payload carries a token, which would have travelled in the URL. */
const tokenInPayload = (payload: unknown): boolean => typeof payload === 'object' && payload !== null && 'authToken' in payload;

/**
 * The sync Durable Object. Reading needs a token for the store (checked when the socket opens); pushing
 * events needs the write scope too, checked again on every push because the connection outlives a check.
 */
export class SyncBackendDO extends makeDurableObject({
  forwardHeaders: [PROTOCOL_HEADER],
  onPush: async (message, { storeId, headers }) => {
    const env = envHolder.env;
    if (env === undefined) throw new Error('internal_error: the sync backend has no environment');
    const result = await checkAccess(env, tokenOf(headers?.get(PROTOCOL_HEADER)), storeId, 'write');
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    // One malformed record in the log, which only grows, would break every device that reads it.
    const refused = refusedEvent(message.batch, envHolder.otherEvents ?? 'refuse');
    if (refused !== undefined) throw new Error(`invalid_event: ${refused}`);
    // Before the events are accepted, so that bytes uploaded before their record arrived are never collected
    // once it has: a push refused later is pushed again, and naming bytes too early only keeps them longer.
    const janitor = janitorOf(env, storeId);
    if (janitor === undefined) return;
    // A record that bytes were uploaded which the backend never held would make the owning device stop
    // uploading them and, under a cache budget, evict its only copy.
    const unheld = env.FILES === undefined ? undefined : await firstNeverHeld({ FILES: env.FILES }, janitor, contentKeysOf(storeId, message.batch, RECORDS_UPLOAD));
    if (unheld !== undefined) throw new Error(`invalid_event: a FileUploaded names bytes the backend never held (${unheld.split('/').slice(-2).join('/')})`);
    const keys = contentKeysOf(storeId, message.batch);
    if (keys.length > 0) await janitor.referenced(keys);
  },
}) {
  readonly #manifest: ManifestFolder;

  readonly #state: DurableObjectState;
  readonly #env: SyncEnv;

  constructor(state: DurableObjectState, env: SyncEnv) {
    super(state as never, env as never);
    envHolder.otherEvents = otherEventsOf(env.SYNC_OTHER_EVENTS);
    envHolder.env = env;
    this.#state = state;
    this.#env = env;
    this.#manifest = new ManifestFolder(state.storage.sql);
    // LiveStore's handler is a property, not a method: wrapped, so that a socket it opens is watched.
    const open = this.fetch as (request: Request) => Promise<Response>;
    this.fetch = (async (request: Request) => {
      const response = await open(request);
      if (response.status === 101) await this.closeEndedSockets();
      return response;
    }) as never;
  }

  /** The alarm set for the earliest token end among the open sockets. */
  async alarm(): Promise<void> {
    await this.closeEndedSockets();
  }

  /**
   * Closes every socket whose token has ended, was revoked (see access.ts) or no longer checks, and sets the
   * alarm for the next to end: a socket outlives the check made when it opened, and would go on receiving
   * the store's events.
   */
  async closeEndedSockets(): Promise<void> {
    let next = Number.POSITIVE_INFINITY;
    for (const socket of this.#state.getWebSockets()) {
      const { storeId, headers } = socketAttachment(socket);
      const result = await checkAccess(this.#env, tokenOf(headers?.[PROTOCOL_HEADER]), storeId, 'read');
      if (!result.ok) socket.close(TOKEN_ENDED_CLOSE_CODE, result.code);
      else next = Math.min(next, result.claims.expiresAt);
    }
    // A moment after the next end, when that token no longer checks.
    if (next !== Number.POSITIVE_INFINITY) await this.#state.storage.setAlarm(Math.max(next, Date.now()) + 1000);
  }

  /** The store's records in short, from this object's event log (called by the worker, see manifest.ts). */
  async manifest() {
    const { head, digest, manifest } = await this.#manifest.current();
    return { head, digest, rows: manifestRows(manifest) };
  }
}

interface SyncRequestArgs {
  request: unknown;
  searchParams: unknown;
  env: SyncEnv;
  ctx: unknown;
  syncBackendBinding: 'SYNC_BACKEND_DO';
  validatePayload: (payload: unknown, context: { storeId: string }) => Promise<void>;
}

/** Answers LiveStore sync traffic, or returns undefined when the request is not sync traffic. */
export async function handleSync(request: Request, env: SyncEnv, ctx: ExecutionContext): Promise<Response | undefined> {
  const searchParams = matchSyncRequest(request as never);
  if (searchParams === undefined) return undefined;
  // Checked here as well as in validatePayload so a refused client gets a 401/403 with a JSON reason.
  const protocols = request.headers.get(PROTOCOL_HEADER);
  if (tokenInPayload(searchParams.payload)) {
    return errorResponse(401, 'token_invalid', `A token in the sync URL is refused (URLs end up in logs): offer it as the WebSocket subprotocol ${TOKEN_PREFIX}<token>`);
  }
  const auth = await checkAccess(env, tokenOf(protocols), searchParams.storeId, 'read');
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);
  // LiveStore's generic signature is too deep for the checker; the arguments are plain values.
  const handle = handleSyncRequest as unknown as (args: SyncRequestArgs) => Promise<unknown>;
  const response = await handle({
    request,
    searchParams,
    env,
    ctx,
    syncBackendBinding: 'SYNC_BACKEND_DO',
    validatePayload: async (_payload: unknown, { storeId }: { storeId: string }) => {
      const result = await checkAccess(env, tokenOf(protocols), storeId, 'read');
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    },
  });
  const upgraded = response as unknown as Response;
  // A browser drops a socket whose server does not pick one of the subprotocols it offered.
  if (upgraded.status === 101 && upgraded.webSocket && protocols?.split(',').some((p) => p.trim() === SYNC_SUBPROTOCOL)) {
    return new Response(null, { status: 101, webSocket: upgraded.webSocket, headers: { [PROTOCOL_HEADER]: SYNC_SUBPROTOCOL } });
  }
  return upgraded;
}
