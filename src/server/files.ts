/**
 * The file API over an R2 bucket.
 *
 *   PUT|GET|HEAD|DELETE  /api/stores/<storeId>/files/<fileId>/<sha256>
 *
 * Object keys are built here from validated segments (`stores/<storeId>/files/<fileId>/<sha256>`), never
 * taken from the client's path, so no path can reach another store's objects. A key names one version of
 * one file's content: bytes under a key never change, which makes downloads cacheable forever and means a
 * replaced file never overwrites bytes another client is still reading.
 */
import { checkToken, type Scope } from './tokens.js';
import { errorResponse, json } from './http.js';

export interface FilesEnv {
  readonly FILES: R2Bucket;
  readonly AUTH_SECRET: string;
  /** Largest accepted upload in bytes. */
  readonly MAX_FILE_SIZE?: string;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A MIME type the way a browser reports `File.type`; anything else is stored as octet-stream. */
const MIME = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;
const DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;

export interface FileAddress {
  readonly storeId: string;
  readonly fileId: string;
  readonly hash: string;
}

/** Parses `/api/stores/<storeId>/files/<fileId>/<sha256>`; undefined if the path is not of that shape. */
export function parseFilePath(pathname: string): FileAddress | 'invalid' | undefined {
  const parts = pathname.split('/');
  if (parts[1] !== 'api' || parts[2] !== 'stores' || parts[4] !== 'files') return undefined;
  const [, , , storeId, , fileId, hash, ...rest] = parts;
  // Raw (undecoded) segments: `%2e%2e` or `%2f` never match the pattern, so they are refused, not decoded.
  if (rest.length > 0 || !storeId || !fileId || !hash) return 'invalid';
  if (!SEGMENT.test(storeId) || !SEGMENT.test(fileId) || !SHA256_HEX.test(hash)) return 'invalid';
  return { storeId, fileId, hash };
}

export const objectKey = ({ storeId, fileId, hash }: FileAddress): string => `stores/${storeId}/files/${fileId}/${hash}`;

const bearer = (request: Request): string | null => {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
};

const SAFE_INLINE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|video\/|audio\/)/;

/** Headers that stop a stored HTML or SVG file from running as a page of the backend's origin. */
function contentHeaders(object: R2Object): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  const type = headers.get('content-type') ?? 'application/octet-stream';
  headers.set('content-type', type);
  headers.set('etag', object.httpEtag);
  headers.set('accept-ranges', 'bytes');
  headers.set('cache-control', 'private, max-age=31536000, immutable');
  headers.set('x-content-type-options', 'nosniff');
  headers.set('content-security-policy', "default-src 'none'; sandbox");
  headers.set('content-disposition', SAFE_INLINE.test(type) ? 'inline' : 'attachment');
  return headers;
}

export async function handleFileRequest(request: Request, env: FilesEnv, address: FileAddress): Promise<Response> {
  const method = request.method;
  if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) {
    return errorResponse(405, 'method_not_allowed', `${method} is not allowed here`, { allow: 'GET, HEAD, PUT, DELETE' });
  }
  const scope: Scope = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  const auth = await checkToken(bearer(request), { secret: env.AUTH_SECRET, storeId: address.storeId, scope });
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);

  const key = objectKey(address);
  switch (method) {
    case 'PUT':
      return put(request, env, key, address);
    case 'DELETE':
      await env.FILES.delete(key);
      return new Response(null, { status: 204 });
    case 'HEAD': {
      const object = await env.FILES.head(key);
      if (object === null) return new Response(null, { status: 404 });
      const headers = contentHeaders(object);
      headers.set('content-length', String(object.size));
      return new Response(null, { status: 200, headers });
    }
    default:
      return get(request, env, key);
  }
}

async function put(request: Request, env: FilesEnv, key: string, address: FileAddress): Promise<Response> {
  const lengthHeader = request.headers.get('content-length');
  if (lengthHeader === null || !/^\d+$/.test(lengthHeader)) {
    return errorResponse(411, 'length_required', 'Content-Length is required');
  }
  const length = Number(lengthHeader);
  const max = Number(env.MAX_FILE_SIZE ?? DEFAULT_MAX_FILE_SIZE);
  if (length > max) return errorResponse(413, 'too_large', `The file is larger than the limit of ${max} bytes`);
  if (request.body === null) return errorResponse(400, 'bad_request', 'The request has no body');

  const declaredType = request.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  const contentType = MIME.test(declaredType) ? declaredType.toLowerCase() : 'application/octet-stream';
  let object: R2Object;
  try {
    // R2 hashes what it receives and refuses the write when it differs from the declared SHA-256,
    // so a corrupted or truncated upload leaves nothing behind.
    object = await env.FILES.put(key, request.body, { sha256: address.hash, httpMetadata: { contentType } });
  } catch (error) {
    if (String(error).includes('BadDigest') || String(error).includes('SHA-256')) {
      return errorResponse(422, 'hash_mismatch', 'The uploaded bytes do not match the declared SHA-256');
    }
    throw error;
  }
  return json({ key: `${address.fileId}/${address.hash}`, size: object.size, etag: object.etag }, 201, {
    etag: object.httpEtag,
  });
}

async function get(request: Request, env: FilesEnv, key: string): Promise<Response> {
  const object = await env.FILES.get(key, { range: request.headers, onlyIf: request.headers });
  if (object === null) return errorResponse(404, 'not_found', 'No such file');
  const headers = contentHeaders(object);
  if (!('body' in object)) {
    // A precondition (If-None-Match, If-Match...) failed: nothing to send.
    return new Response(null, { status: request.headers.has('if-none-match') ? 304 : 412, headers });
  }
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (request.headers.has('range') && range !== undefined) {
    const offset = range.suffix !== undefined ? object.size - range.suffix : (range.offset ?? 0);
    const length = range.suffix !== undefined ? range.suffix : (range.length ?? object.size - offset);
    headers.set('content-range', `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set('content-length', String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set('content-length', String(object.size));
  return new Response(object.body, { status: 200, headers });
}
