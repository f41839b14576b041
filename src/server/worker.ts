/**
 * The kit's Cloudflare worker: LiveStore sync and the file API behind one origin.
 * `wrangler dev` runs it locally with no account; `wrangler deploy` puts it on Cloudflare.
 */
import { handleFileRoutes } from './file-routes.js';
import type { FilesEnv } from './objects.js';
import { errorResponse, json, preflight, withCors } from './http.js';
import { handleManifest, manifestStoreOf } from './manifest.js';
import { handleRevocation, revocationStoreOf } from './access.js';
import { otherEventsOf } from './event-checks.js';
import { ConfigError, limitsOf } from './limits.js';
import { handleSync, type SyncEnv } from './sync.js';
import { mintToken, type Scope } from './tokens.js';
import { ID_PATTERN } from '../core/wire.js';

export { SyncBackendDO } from './sync.js';
export { FileJanitorDO } from './janitor.js';

export interface Env extends FilesEnv, Omit<SyncEnv, 'FILE_JANITOR' | 'FILES'> {
  /** `*` or a comma-separated list of browser origins allowed to call the file API. */
  readonly ALLOWED_ORIGINS?: string;
  /** "true" only on a local development backend: enables `POST /dev/tokens`. */
  readonly DEV_TOKENS?: string;
  /** Cloudflare's rate limiting binding, when the deployment binds one: requests per client address (README). */
  readonly RATE_LIMITER?: RateLimit;
}

/**
 * Whether the client may make this request now; counted per address (Cloudflare's `cf-connecting-ip`), before
 * the token is checked, so that floods of bad tokens are counted too. A socket counts once, when it opens.
 */
async function withinRateLimit(request: Request, env: Env): Promise<boolean> {
  if (env.RATE_LIMITER === undefined) return true;
  const { success } = await env.RATE_LIMITER.limit({ key: request.headers.get('cf-connecting-ip') ?? 'unknown' });
  return success;
}

async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  // A deployment configured wrongly serves nothing: failing open would be worse (see limits.ts).
  limitsOf(env);
  otherEventsOf(env.SYNC_OTHER_EVENTS);
  const url = new URL(request.url);
  if (url.pathname !== '/health' && !(await withinRateLimit(request, env))) {
    return errorResponse(429, 'rate_limited', 'Too many requests from this address: wait a moment', { 'retry-after': '10' });
  }
  const sync = await handleSync(request, env, ctx);
  if (sync !== undefined) return sync;

  const manifestOf = manifestStoreOf(url.pathname);
  if (manifestOf !== undefined) return handleManifest(request, env, manifestOf);
  const revocationOf = revocationStoreOf(url.pathname);
  if (revocationOf !== undefined) return handleRevocation(request, env, revocationOf);
  const file = await handleFileRoutes(request, env, ctx);
  if (file !== undefined) return file;

  if (url.pathname === '/health') return json({ ok: true });
  if (url.pathname === '/dev/tokens' && env.DEV_TOKENS === 'true' && request.method === 'POST') {
    return devToken(request, env);
  }
  return errorResponse(404, 'not_found', 'No such route');
}

/** Development only: mints a token for any store so the demo and tests need no app server. */
async function devToken(request: Request, env: Env): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { storeId?: unknown; scopes?: unknown; ttlSeconds?: unknown } | null;
  const storeId = body?.storeId;
  if (typeof storeId !== 'string' || !ID_PATTERN.test(storeId)) {
    return errorResponse(400, 'bad_request', `storeId must match ${ID_PATTERN.source}`);
  }
  const scopes: Scope[] = Array.isArray(body?.scopes) ? body.scopes.filter((s): s is Scope => s === 'read' || s === 'write') : ['read', 'write'];
  const ttlSeconds = typeof body?.ttlSeconds === 'number' ? body.ttlSeconds : 7 * 24 * 3600;
  return json({ token: await mintToken({ secret: env.AUTH_SECRET, storeId, scopes, ttlSeconds, subject: 'dev' }) });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const cors = { allowedOrigins: env.ALLOWED_ORIGINS ?? '' };
    if (request.method === 'OPTIONS') return preflight(request, cors);
    try {
      return withCors(request, await route(request, env, ctx), cors);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        return withCors(request, errorResponse(500, 'config_error', error.message), cors);
      }
      console.error('unhandled error', error);
      return withCors(request, errorResponse(500, 'internal_error', 'Internal error'), cors);
    }
  },
} satisfies ExportedHandler<Env>;
