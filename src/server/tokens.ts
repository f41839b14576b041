/**
 * Signed, expiring access tokens: an HS256 JWT naming one store and what its holder may do there.
 * The same token gates LiveStore sync and every file route, so one check decides both.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { AuthErrorCode } from '../core/wire.js';

/** `revoke` is for the app that mints tokens (see access.ts), never for a browser. */
export type Scope = 'read' | 'write' | 'revoke';

const SCOPES: ReadonlySet<string> = new Set<Scope>(['read', 'write', 'revoke']);

export interface AccessClaims {
  /** The store this token opens, and no other. */
  readonly storeId: string;
  readonly scopes: readonly Scope[];
  /** Who the holder is, as the issuing app knows them (optional, for logs and audits). */
  readonly subject?: string;
}

/** What a checked token says, and when it began and ends. */
export interface CheckedClaims extends AccessClaims {
  readonly expiresAt: number;
  /** When it was issued (milliseconds since 1970, whole seconds): what a revocation compares. */
  readonly issuedAt: number;
}

export interface MintOptions extends AccessClaims {
  readonly secret: string;
  /** Lifetime in seconds; defaults to one hour. */
  readonly ttlSeconds?: number;
}

const encoder = new TextEncoder();
const ISSUER = 'ls-file-sync';
/** Tokens for this API only: another service's token signed with the same secret opens nothing here. */
const AUDIENCE = 'ls-file-sync-api';
/** Clocks of the issuing app and of Cloudflare may differ by this much: a token issued this far ahead passes (its end does not move). */
const CLOCK_TOLERANCE_SECONDS = 60;
const DEFAULT_MAX_LIFETIME_SECONDS = 7 * 24 * 3600;

/** Smaller than this and a brute-force search of the HMAC key becomes realistic. */
const MIN_SECRET_LENGTH = 32;

const keyOf = (secret: string): Uint8Array => {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`The token secret must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  return encoder.encode(secret);
};

/** Mints a token for a user's own backend (an app server, a CMS) to hand to the browser. */
export async function mintToken({ secret, storeId, scopes, subject, ttlSeconds = 3600 }: MintOptions): Promise<string> {
  // One reading of the clock for both, so the lifetime is exactly ttlSeconds.
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ store: storeId, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (subject !== undefined) jwt.setSubject(subject);
  return jwt.sign(keyOf(secret));
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: CheckedClaims }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: TokenErrorCode; readonly message: string };

export type TokenErrorCode = AuthErrorCode;

/**
 * Verifies a token for one store and one scope; never throws. A token must say when it was issued and when
 * it expires, within `maxLifetimeSeconds` of each other (a week unless the deployment says otherwise), and
 * must not be issued in the future: a token that never ends cannot be taken back.
 */
export async function checkToken(
  token: string | null | undefined,
  { secret, storeId, scope, maxLifetimeSeconds = DEFAULT_MAX_LIFETIME_SECONDS }: { secret: string; storeId: string; scope: Scope; maxLifetimeSeconds?: number },
): Promise<TokenCheck> {
  if (!token) return { ok: false, status: 401, code: 'token_missing', message: 'An access token is required' };
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      return { ok: false, status: 401, code: 'token_expired', message: 'The access token has expired' };
    }
    return { ok: false, status: 401, code: 'token_invalid', message: 'The access token is not valid' };
  }
  const { iat = 0, exp = 0 } = payload;
  if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    return { ok: false, status: 401, code: 'token_invalid', message: 'The access token was issued in the future' };
  }
  if (exp - iat > maxLifetimeSeconds) {
    return { ok: false, status: 401, code: 'token_invalid', message: `The access token is valid for longer than ${maxLifetimeSeconds} seconds` };
  }
  if (typeof payload.store !== 'string' || typeof payload.scope !== 'string') {
    return { ok: false, status: 401, code: 'token_invalid', message: 'The access token names no store' };
  }
  if (payload.store !== storeId) {
    return { ok: false, status: 403, code: 'wrong_store', message: 'The access token is for another store' };
  }
  const scopes = payload.scope.split(' ').filter((s): s is Scope => SCOPES.has(s));
  if (!scopes.includes(scope)) {
    return { ok: false, status: 403, code: 'scope_missing', message: `The access token does not allow ${scope}` };
  }
  return { ok: true, claims: { storeId: payload.store, scopes, expiresAt: exp * 1000, issuedAt: iat * 1000, ...(payload.sub ? { subject: payload.sub } : {}) } };
}
