/**
 * The LiveStore sync backend: one SQLite-backed Durable Object per store, reached over a WebSocket whose
 * query string carries the client's sync payload `{ authToken }`.
 */
import { handleSyncRequest, makeDurableObject, matchSyncRequest } from '@livestore/sync-cf/cf-worker';
import { errorResponse } from './http.js';
import { checkToken } from './tokens.js';

export interface SyncEnv {
  readonly SYNC_BACKEND_DO: DurableObjectNamespace;
  readonly AUTH_SECRET: string;
}

const secretHolder = { value: '' };

const tokenOf = (payload: unknown): string | undefined =>
  typeof payload === 'object' && payload !== null && 'authToken' in payload && typeof payload.authToken === 'string'
    ? payload.authToken
    : undefined;

/**
 * The sync Durable Object. Reading needs a token for the store (checked when the socket opens); pushing
 * events needs the write scope too, checked again on every push because the connection outlives a check.
 */
export class SyncBackendDO extends makeDurableObject({
  onPush: async (_message, { storeId, payload }) => {
    // onPush gets no `env`: the constructor below, which runs first in the DO's isolate, leaves the secret here.
    const result = await checkToken(tokenOf(payload), { secret: secretHolder.value, storeId, scope: 'write' });
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  },
}) {
  constructor(state: DurableObjectState, env: SyncEnv) {
    super(state as never, env as never);
    secretHolder.value = env.AUTH_SECRET;
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
  const auth = await checkToken(tokenOf(searchParams.payload), { secret: env.AUTH_SECRET, storeId: searchParams.storeId, scope: 'read' });
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);
  // LiveStore's generic signature is too deep for the checker; the arguments are plain values.
  const handle = handleSyncRequest as unknown as (args: SyncRequestArgs) => Promise<unknown>;
  const response = await handle({
    request,
    searchParams,
    env,
    ctx,
    syncBackendBinding: 'SYNC_BACKEND_DO',
    validatePayload: async (payload: unknown, { storeId }: { storeId: string }) => {
      const result = await checkToken(tokenOf(payload), { secret: env.AUTH_SECRET, storeId, scope: 'read' });
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    },
  });
  return response as unknown as Response;
}
