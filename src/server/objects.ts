/** What the file routes share about stored objects: the bucket's environment, size limits, types, the answer to a stored upload. */
import { errorResponse, json } from './http.js';
import type { FileAddress } from './addresses.js';
import type { JanitorEnv, QuotaRefusal } from './janitor.js';
import { limitsOf, type LimitsEnv } from './limits.js';
import { remoteKeyOf } from '../core/wire.js';

export interface FilesEnv extends JanitorEnv, LimitsEnv {
  readonly FILES: R2Bucket;
  readonly AUTH_SECRET: string;
  /**
   * For tests only, never set in a deployment: `end-after-staging` ends every upload (a single PUT, a
   * multipart completion) with an error right after its bytes are stored at their staging key, as a crash
   * there would.
   */
  readonly INJECT_FAULT?: string;
}

/** A MIME type the way a browser reports `File.type`; anything else is stored as octet-stream. */
const MIME = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** A Worker request body is capped at 100 MB on the smaller plans: above that, files go in parts. */
export const MAX_SINGLE_PUT = 100 * 1024 * 1024;

export const maxFileSize = (env: FilesEnv): number => limitsOf(env).maxFileSize;

export function contentTypeOf(request: Request): string {
  const declared = request.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  return MIME.test(declared) ? declared.toLowerCase() : 'application/octet-stream';
}

/** A store without room for an upload (see janitor.ts): 507 for bytes, 429 for uploads in progress, which frees up soon. */
export const quotaRefused = ({ code, message }: QuotaRefusal): Response =>
  code === 'quota_exceeded' ? errorResponse(507, code, message) : errorResponse(429, code, message, { 'retry-after': '60' });

/** The answer to an upload: 201 when these bytes were stored now, 200 when the content key already served them. */
export const stored = (address: FileAddress, object: R2Object, status: 200 | 201 = 201): Response =>
  json({ key: remoteKeyOf(address.fileId, address.hash), size: object.size, etag: object.etag, ...(status === 200 ? { alreadyStored: true } : {}) }, status, {
    etag: object.httpEtag,
  });
