/**
 * Who may do what in a store: a token that checks (tokens.ts) and that the store has not revoked.
 *
 * A token is taken back by a revocation kept per store: every token of one subject issued up to a moment, or
 * every token of the store. The app that mints tokens revokes through
 *
 *   POST /api/stores/<storeId>/revocations  { "subject"?: string }   (a token with the `revoke` scope)
 *
 * or `revokeTokens` in a worker that mounts the pieces. From then on such a token opens no file route, no
 * manifest and no sync socket, and sockets already open with one are closed (4001, as for a token that
 * ended). A token minted in the same second as the revocation is revoked with it (`iat` counts seconds).
 * Revocations are kept by the store's janitor object, the one object per store that is the kit's own.
 */
import { bearer, errorResponse, json } from './http.js';
import { janitorFor, janitorOf, type JanitorEnv } from './janitor.js';
import { limitsOf, type LimitsEnv } from './limits.js';
import { checkToken, type Scope, type TokenCheck } from './tokens.js';
import { ID_PATTERN } from '../core/wire.js';

export interface AccessEnv extends LimitsEnv {
  readonly AUTH_SECRET: string;
  /** Keeps the store's revocations. Without it (a deployment that only syncs) no token can be revoked. */
  readonly FILE_JANITOR?: JanitorEnv['FILE_JANITOR'];
}

/** Checks a token for one store and scope, and that the store has not revoked it; never throws. */
export async function checkAccess(env: AccessEnv, token: string | null | undefined, storeId: string, scope: Scope): Promise<TokenCheck> {
  const result = await checkToken(token, { secret: env.AUTH_SECRET, storeId, scope, maxLifetimeSeconds: limitsOf(env).tokenMaxLifetimeSeconds });
  const janitor = janitorOf(env, storeId);
  if (!result.ok || janitor === undefined) return result;
  const revokedThrough = await janitor.revokedThrough(result.claims.subject);
  if (result.claims.issuedAt <= revokedThrough) return { ok: false, status: 401, code: 'token_revoked', message: 'The access token was revoked' };
  return result;
}

/** Closes the sync sockets whose token no longer checks (see sync.ts). */
interface SocketsStub {
  closeEndedSockets(): Promise<void>;
}

/**
 * Revokes every token of `subject` in the store issued up to now (every token of the store when no subject
 * is named), and closes the sync sockets opened with one. Returns the moment revoked through (ms).
 */
export async function revokeTokens(
  env: Pick<JanitorEnv, 'FILE_JANITOR'> & { readonly SYNC_BACKEND_DO?: DurableObjectNamespace },
  storeId: string,
  subject?: string,
): Promise<number> {
  const through = await janitorFor(env, storeId).revoke(subject, Date.now());
  if (env.SYNC_BACKEND_DO !== undefined) {
    // The same Durable Object LiveStore's sync request reaches: named by the store.
    const sync = env.SYNC_BACKEND_DO.get(env.SYNC_BACKEND_DO.idFromName(storeId)) as unknown as SocketsStub;
    await sync.closeEndedSockets();
  }
  return through;
}

const REVOCATIONS_PATH = /^\/api\/stores\/([^/]+)\/revocations$/;

/** The store a revocation request names, or undefined when the path is not a revocation's. */
export const revocationStoreOf = (pathname: string): string | undefined => {
  const storeId = REVOCATIONS_PATH.exec(pathname)?.[1];
  return storeId !== undefined && ID_PATTERN.test(storeId) ? storeId : undefined;
};

/** Subjects are the issuing app's user ids: bounded, as any string kept per store is. */
const MAX_SUBJECT_LENGTH = 256;

export async function handleRevocation(
  request: Request,
  env: AccessEnv & { readonly SYNC_BACKEND_DO?: DurableObjectNamespace },
  storeId: string,
): Promise<Response> {
  if (request.method !== 'POST') return errorResponse(405, 'method_not_allowed', `${request.method} is not allowed here`, { allow: 'POST' });
  const auth = await checkAccess(env, bearer(request), storeId, 'revoke');
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);
  const { FILE_JANITOR } = env;
  if (FILE_JANITOR === undefined) return errorResponse(501, 'not_implemented', 'This deployment has no FILE_JANITOR binding, which keeps revocations');
  const body = (await request.json().catch(() => null)) as { subject?: unknown } | null;
  const subject = body?.subject;
  if (body === null || (subject !== undefined && (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH))) {
    return errorResponse(400, 'bad_request', `The body must be JSON, naming the subject whose tokens to revoke (1 to ${MAX_SUBJECT_LENGTH} characters), or {} for every token of the store`);
  }
  const revokedThrough = await revokeTokens({ FILE_JANITOR, ...(env.SYNC_BACKEND_DO ? { SYNC_BACKEND_DO: env.SYNC_BACKEND_DO } : {}) }, storeId, subject);
  return json({ revokedThrough, ...(subject === undefined ? {} : { subject }) });
}
