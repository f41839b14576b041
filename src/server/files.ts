/**
 * The file API over an R2 bucket.
 *
 *   PUT|GET|HEAD|DELETE  /api/stores/<storeId>/files/<fileId>/<hash>
 *
 * `<hash>` is the content hash of the bytes (SHA-256 over the SHA-256 digests of 4 MiB blocks, see
 * src/core/storage/hash.ts), checked on every upload. Object keys are built here from validated segments
 * (`stores/<storeId>/files/<fileId>/<hash>`), never
 * taken from the client's path, so no path can reach another store's objects. A key names one version of
 * one file's content: bytes under a key never change, which makes downloads cacheable forever and means a
 * replaced file never overwrites bytes another client is still reading.
 *
 * A multipart upload may also go to a staging address, `…/files/<fileId>/u-<token>`, when its client starts
 * sending before it knows the hash (it is still saving the file): its completion names the hash, and the
 * content key then holds a pointer to the staged bytes (see multipart.ts), which reads follow.
 */
import { objectKey, type FileAddress, type FileRoute, type ParsedFilePath } from './addresses.js';
import { checkAccess } from './access.js';
import type { Scope } from './tokens.js';
import { bearer, errorResponse, json } from './http.js';
import { janitorFor } from './janitor.js';
import { handleMultipart } from './multipart.js';
import { contentTypeOf, MAX_SINGLE_PUT, maxFileSize, quotaRefused, stored, type FilesEnv } from './objects.js';
import { isPointedObject, pointTo, pointerTarget, servedHead } from './pointer.js';
import { hashStream } from '../core/storage/hash.js';
import { newStaging, SHA256_PATTERN } from '../core/wire.js';

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

const ALLOWED: Record<FileRoute['kind'], readonly string[]> = {
  object: ['GET', 'HEAD', 'PUT', 'DELETE'],
  restore: ['POST'],
  uploads: ['POST'],
  upload: ['DELETE'],
  complete: ['POST'],
  part: ['PUT'],
};

export async function handleFileRequest(
  request: Request,
  env: FilesEnv,
  parsed: ParsedFilePath,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
): Promise<Response> {
  const { address, route } = parsed;
  const method = request.method;
  const allowed = ALLOWED[route.kind];
  if (!allowed.includes(method)) {
    return errorResponse(405, 'method_not_allowed', `${method} is not allowed here`, { allow: allowed.join(', ') });
  }
  const scope: Scope = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  const auth = await checkAccess(env, bearer(request), address.storeId, scope);
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);

  if (parsed.at === 'staging') return handleMultipart(request, env, parsed.address, parsed.route, ctx);
  const content = parsed.address;
  const key = objectKey(content);
  if (route.kind === 'restore') return restore(env, key, content);
  if (route.kind !== 'object') return handleMultipart(request, env, content, route, ctx);
  switch (method) {
    case 'PUT': {
      // Run to its end even when its client goes away once the bytes are sent: cut off between storing them
      // and pointing the content key to them, they would wait for the janitor and the upload start over.
      const putting = put(request, env, key, content);
      ctx.waitUntil(putting.catch(() => {}));
      return putting;
    }
    case 'DELETE': {
      // The bytes stay until the grace period ends (see janitor.ts); deleting twice is harmless.
      if ((await env.FILES.head(key)) === null) return new Response(null, { status: 204 });
      const deleteAt = await janitorFor(env, content.storeId).markDeleted(key);
      return json({ pendingDeleteAt: new Date(deleteAt).toISOString() }, 202);
    }
    case 'HEAD': {
      const object = await servedHead(env, key);
      if (object === null) return new Response(null, { status: 404 });
      const headers = contentHeaders(object);
      headers.set('content-length', String(object.size));
      return new Response(null, { status: 200, headers });
    }
    default:
      return get(request, env, key);
  }
}

/** Cancels a pending deletion, while the bytes are still there. */
async function restore(env: FilesEnv, key: string, address: FileAddress): Promise<Response> {
  if ((await env.FILES.head(key)) === null) return errorResponse(404, 'not_found', 'No such file: it may already have been removed');
  await janitorFor(env, address.storeId).restore(key);
  return json({ restored: true }, 200);
}

async function put(request: Request, env: FilesEnv, key: string, address: FileAddress): Promise<Response> {
  const lengthHeader = request.headers.get('content-length');
  if (lengthHeader === null || !/^\d+$/.test(lengthHeader)) {
    return errorResponse(411, 'length_required', 'Content-Length is required');
  }
  const length = Number(lengthHeader);
  const max = maxFileSize(env);
  if (length > Math.min(max, MAX_SINGLE_PUT)) {
    return errorResponse(413, 'too_large', `A single upload is limited to ${Math.min(max, MAX_SINGLE_PUT)} bytes; larger files go in parts`);
  }
  if (request.body === null) return errorResponse(400, 'bad_request', 'The request has no body');

  const sha256 = request.headers.get('x-content-sha256');
  if (sha256 !== null && !SHA256_PATTERN.test(sha256)) {
    return errorResponse(400, 'bad_request', 'x-content-sha256 must be the SHA-256 of the body, 64 lowercase hex digits');
  }

  const janitor = janitorFor(env, address.storeId);
  // Written once: bytes a content key serves were checked when they came, and are never replaced.
  const held = await servedHead(env, key);
  if (held !== null) {
    // Read to its end before the answer: a browser still sending a body the server answered early reports a
    // dropped connection, not the answer, and sends it again (seen in the chaos run: a 20 MB upload whose
    // first answer was lost was sent again and again, each time answered "already stored" in a few ms).
    await request.body.pipeTo(new WritableStream()).catch(() => {});
    await janitor.stored(key, held.size);
    return stored(address, held, 200);
  }
  // The bytes are stored at a staging key and content-hashed side by side (R2 needs a stream of known length,
  // which a tee's branch is not, hence the fixed-length stream between them); the content key points to them
  // once they match. The janitor knows the staging key first: bytes left there by a worker that ended before
  // pointing to them are removed.
  const stagingKey = objectKey({ storeId: address.storeId, fileId: address.fileId, staging: newStaging() });
  const refused = await janitor.stagingBegun(stagingKey, length);
  if (refused !== undefined) return quotaRefused(refused);
  const [toStore, toHash] = request.body.tee();
  const sized = new FixedLengthStream(length);
  const piping = toStore.pipeTo(sized.writable).catch(() => {});
  const hashing = hashStream(toHash).catch(() => undefined);
  let object: R2Object;
  try {
    // With the plain SHA-256 given, R2 checks it as it stores and refuses a damaged body.
    object = await env.FILES.put(stagingKey, sized.readable, { ...(sha256 !== null ? { sha256 } : {}), httpMetadata: { contentType: contentTypeOf(request) } });
  } catch (error) {
    await toHash.cancel().catch(() => {});
    if (String(error).includes('BadDigest') || String(error).includes('SHA-256')) {
      return errorResponse(422, 'hash_mismatch', 'The uploaded bytes do not match the declared SHA-256');
    }
    throw error;
  }
  await piping;
  if (env.INJECT_FAULT === 'end-after-staging') throw new Error('Fault injected on purpose (INJECT_FAULT): the upload ends after its bytes are staged');
  if ((await hashing) !== address.hash) {
    await env.FILES.delete(stagingKey);
    return errorResponse(422, 'hash_mismatch', "The uploaded bytes do not match the key's content hash");
  }
  await janitor.stored(key, object.size, await pointTo(env, key, stagingKey, object));
  return stored(address, object);
}

const ETAGS = /^\s*(?:\*|(?:W\/)?"[\x21\x23-\x7e]*"(?:\s*,\s*(?:W\/)?"[\x21\x23-\x7e]*")*)\s*$/;
/** One range of bytes; a suffix of no bytes (`bytes=-0`) is none (RFC 9110, 14.1.1). */
const SINGLE_RANGE = /^bytes=(?:\d+-\d*|-0*[1-9]\d*)$/;

/**
 * The conditional and range headers R2 is given, each only when well-formed: R2 throws on a malformed one,
 * and HTTP says to ignore what cannot be parsed (an unusable Range is served whole, with 200).
 */
function readConditions(request: Request): Headers {
  const out = new Headers();
  for (const name of ['if-none-match', 'if-match']) {
    const value = request.headers.get(name);
    if (value !== null && ETAGS.test(value)) out.set(name, value);
  }
  for (const name of ['if-modified-since', 'if-unmodified-since']) {
    const value = request.headers.get(name);
    // A date later than now is not a valid one for these headers (RFC 9110, 13.1.3 and 13.1.4).
    if (value !== null && Date.parse(value) <= Date.now()) out.set(name, value);
  }
  const range = request.headers.get('range')?.trim();
  const [first, last] = range?.slice(6).split('-') ?? [];
  // A range whose last byte comes before its first is invalid, not empty.
  if (range !== undefined && SINGLE_RANGE.test(range) && !(first && last && Number(last) < Number(first))) out.set('range', range);
  return out;
}

/** Whether If-Match or If-Unmodified-Since, as given, does not hold for `object`. */
function failsWritePrecondition(conditions: Headers, object: R2Object): boolean {
  const ifMatch = conditions.get('if-match');
  if (ifMatch !== null && ifMatch.trim() !== '*' && !ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === object.httpEtag)) return true;
  const ifUnmodifiedSince = conditions.get('if-unmodified-since');
  return ifUnmodifiedSince !== null && object.uploaded.getTime() > Date.parse(ifUnmodifiedSince) + 999;
}

async function get(request: Request, env: FilesEnv, key: string): Promise<Response> {
  if (/^bytes=-0+$/.test(request.headers.get('range')?.trim() ?? '')) {
    // The last zero bytes: a range no byte satisfies.
    const held = await servedHead(env, key);
    if (held === null) return errorResponse(404, 'not_found', 'No such file');
    return errorResponse(416, 'range_not_satisfiable', `The file has ${held.size} bytes`, { 'content-range': `bytes */${held.size}` });
  }
  const conditions = readConditions(request);
  let object = await env.FILES.get(key, { range: conditions, onlyIf: conditions });
  const target = pointerTarget(object);
  if (object !== null && target !== undefined) {
    const pointer = object;
    if ('body' in pointer) await pointer.body.cancel();
    object = await env.FILES.get(target, { range: conditions, onlyIf: conditions });
    if (!isPointedObject(pointer, object)) {
      if (object !== null && 'body' in object) await object.body.cancel();
      object = null;
    }
  }
  if (object === null) return errorResponse(404, 'not_found', 'No such file');
  const headers = contentHeaders(object);
  if (!('body' in object)) {
    // A precondition failed: If-Match or If-Unmodified-Since (412, evaluated first), else If-None-Match or
    // If-Modified-Since (304: the copy the client holds is current).
    return new Response(null, { status: failsWritePrecondition(conditions, object) ? 412 : 304, headers });
  }
  if (object.size === 0 && conditions.has('range')) {
    // No byte of an empty file can be asked for: the whole (empty) file is the answer.
    await object.body.cancel();
    headers.set('content-length', '0');
    return new Response(null, { status: 200, headers });
  }
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (conditions.has('range') && range !== undefined) {
    const offset = range.suffix !== undefined ? object.size - range.suffix : (range.offset ?? 0);
    // R2 clamps a range that starts past the end; HTTP says 416.
    const start = Number(conditions.get('range')?.match(/^bytes=(\d+)-/)?.[1] ?? 0);
    if (start >= object.size && object.size > 0) {
      await object.body.cancel();
      return errorResponse(416, 'range_not_satisfiable', `The file has ${object.size} bytes`, { 'content-range': `bytes */${object.size}` });
    }
    const length = range.suffix !== undefined ? range.suffix : (range.length ?? object.size - offset);
    headers.set('content-range', `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set('content-length', String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set('content-length', String(object.size));
  return new Response(object.body, { status: 200, headers });
}
