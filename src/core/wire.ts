/**
 * The contract between the core and the worker (src/server): what an id and a content hash look like, the
 * addresses of files and of the manifest, the part limit of multipart uploads, and the codes of the
 * worker's JSON errors. Both sides import it, so neither can drift from the other.
 */

/** A store id or a file id: a path segment that needs no escaping. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** A content hash (see storage/hash.ts): lowercase hex of SHA-256. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Where a multipart upload begun before its content hash was known puts its parts, in place of the hash:
 * `u-` and a random token (never a content hash, which is hex only).
 */
export const STAGING_PATTERN = /^u-[A-Za-z0-9_-]{16,64}$/;

/** A fresh staging segment: `u-` and a random UUID's 32 hex digits. */
export const newStaging = (): string => `u-${crypto.randomUUID().replaceAll('-', '')}`;

/** The longest file name a record may carry. */
export const MAX_NAME_LENGTH = 1024;

/** The longest media type a record may carry (RFC 6838 allows 127 characters on each side of the slash). */
export const MAX_TYPE_LENGTH = 255;

/** R2's limit on the parts of one multipart upload. */
export const MAX_PARTS = 10_000;

/** A version of a file's content in remote storage, as the synced `files` table records it: `<fileId>/<hash>`. */
export const remoteKeyOf = (fileId: string, hash: string): string => `${fileId}/${hash}`;

/**
 * The API path of a remote key (or of `<fileId>/<staging segment>`, where a multipart upload begun before its
 * hash was known goes; see src/server/files.ts).
 */
export const filePath = (storeId: string, remoteKey: string): string => `/api/stores/${encodeURIComponent(storeId)}/files/${remoteKey}`;

/**
 * The one URL every file of a store may also be reached at, the path after `files/` (a remote key, and what
 * follows it: `/uploads/…`) in `FILE_PATH_HEADER`. A browser asks leave of another origin (a CORS preflight)
 * once per URL and caches the answer: with a URL per file, every transfer cost a request more.
 */
export const storeFileRoute = (storeId: string): string => `/api/stores/${encodeURIComponent(storeId)}/file`;

/** The header that names the file at `storeFileRoute`. */
export const FILE_PATH_HEADER = 'x-file-path';

/** A store's manifest: what the backend holds of it (see src/server/manifest.ts). */
export const manifestPath = (storeId: string): string => `/api/stores/${storeId}/manifest`;

/**
 * The header that carries the digest of the manifest a device expects. In the query string, as before, every
 * check had a URL of its own, and a browser asked leave (a CORS preflight) before each one.
 */
export const MANIFEST_DIGEST_HEADER = 'x-manifest-digest';

/** What the worker's JSON errors say in `error.code`. */
export type ErrorCode =
  | 'bad_request'
  | 'internal_error'
  | 'config_error'
  | 'not_found'
  | 'method_not_allowed'
  | 'length_required'
  | 'too_large'
  | 'hash_mismatch'
  | 'size_mismatch'
  | 'no_such_upload'
  | 'invalid_parts'
  | 'range_not_satisfiable'
  | 'staging_used'
  | 'completing'
  | 'not_implemented'
  | 'quota_exceeded'
  | 'too_many_uploads'
  | 'rate_limited'
  | AuthErrorCode;

/** The errors a new token can mend. */
export type AuthErrorCode = 'token_missing' | 'token_invalid' | 'token_expired' | 'token_revoked' | 'wrong_store' | 'scope_missing';

const AUTH_ERROR_CODES: ReadonlySet<string> = new Set<AuthErrorCode>(['token_missing', 'token_invalid', 'token_expired', 'token_revoked', 'wrong_store', 'scope_missing']);

export const isAuthErrorCode = (code: string): code is AuthErrorCode => AUTH_ERROR_CODES.has(code);
