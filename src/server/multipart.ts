/**
 * Multipart uploads over R2, for files too large for one request and for uploads that must resume:
 *
 *   POST   …/files/<fileId>/<hash>/uploads                     { size } → { uploadId, partSize… }
 *   PUT    …/files/<fileId>/<hash>/uploads/<uploadId>/parts/<n>  bytes  → { partNumber, etag }
 *   POST   …/files/<fileId>/<hash>/uploads/<uploadId>/complete  { parts: [{ partNumber, etag }] }
 *   DELETE …/files/<fileId>/<hash>/uploads/<uploadId>           (abort)
 *
 * R2 checks no hash across parts, so the worker does: each part is content-hashed block by block as it
 * streams into R2, and its block digests are kept (by the store's janitor) with the etag R2 gave it. On
 * completion the digests of the parts listed, each with the etag listed, make the file's content hash
 * without a byte being read again; the object is deleted unless it matches the key's, so a corrupted upload
 * leaves nothing behind. When blocks and parts do not line up (a part size that is not a multiple of the
 * 4 MiB block) or a part's digests are missing, the worker streams the assembled object through the hash
 * instead, as it did for every upload before: reading a file of gigabytes back took most of a minute.
 *
 * Content keys are written once (see pointer.ts): every upload's parts go to a staging key, and the content key
 * comes to point to the assembled bytes once they match its hash. An upload at a content address is staged
 * at a key the worker chooses, which the upload id it answers carries. A client that starts uploading while
 * it is still saving the file (and hashing it) does not know the content address yet, and R2 fixes an
 * object's key when its multipart upload is created: such an upload goes to a staging address of its own,
 * `…/files/<fileId>/u-<token>` (the same routes), and names the hash in its completion:
 *
 *   POST   …/files/<fileId>/u-<token>/uploads/<uploadId>/complete  { parts, hash }
 *
 * A staging address takes one upload's bytes: starting or completing another there is refused (409
 * `staging_used`). A completion sent again while the first still runs is told to wait (503 `completing`). When the content is already stored, the staged copy is deleted. Staged bytes are never
 * served under their staging key.
 */
import { isFileAddress, objectKey, type FileAddress, type MultipartRoute, type StagingAddress } from './addresses.js';
import { contentTypeOf, maxFileSize, quotaRefused, stored, type FilesEnv } from './objects.js';
import { MAX_PARTS, newStaging, STAGING_PATTERN } from '../core/wire.js';
import { pointTo, servedHead } from './pointer.js';
import { errorResponse, json } from './http.js';
import { janitorFor } from './janitor.js';
import { CONTENT_BLOCK_SIZE, concatBytes, contentHashOfBlocks, hashStream, hashStreamBlocks } from '../core/storage/hash.js';
import type { StoredPart } from './janitor.js';

/** R2: every part but the last at least 5 MiB (and all the same size); a part at most 5 GiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_SIZE = 100 * 1024 * 1024;

export async function handleMultipart(
  request: Request,
  env: FilesEnv,
  address: FileAddress | StagingAddress,
  route: MultipartRoute,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
): Promise<Response> {
  if (route.kind === 'uploads') return create(request, env, address);
  const upload = uploadOf(address, route.uploadId);
  if (upload === undefined) return noSuchUpload();
  switch (route.kind) {
    case 'part':
      return uploadPart(request, env, upload, address, route.partNumber);
    case 'complete': {
      // Run to its end even when its client goes away (it timed out on a long check, say): cut off between
      // R2's completion and the pointer, the upload could only start over.
      const completing = complete(request, env, upload, address);
      ctx.waitUntil(completing.catch(() => {}));
      return completing;
    }
    case 'upload':
      await env.FILES.resumeMultipartUpload(upload.key, upload.r2Id).abort().catch(() => {});
      await janitorFor(env, address.storeId).uploadEnded(upload.key, upload.r2Id);
      return new Response(null, { status: 204 });
  }
}

/**
 * Where an upload's bytes go, always a staging key (content keys are written once, see pointer.ts), and R2's
 * id of it. An upload at a content address is staged at a key the worker chose, which its id carries:
 * `<staging segment>~<R2's id>`; one at a staging address is staged there, under R2's id.
 */
interface Upload {
  readonly key: string;
  readonly r2Id: string;
}

const STAGED_UPLOAD_ID = new RegExp(`^(${STAGING_PATTERN.source.slice(1, -1)})~(.+)$`);

/** Undefined for an id the worker never gave (an upload begun at a content key before uploads were staged). */
function uploadOf(address: FileAddress | StagingAddress, uploadId: string): Upload | undefined {
  if ('staging' in address) return { key: objectKey(address), r2Id: uploadId };
  const [, staging, r2Id] = STAGED_UPLOAD_ID.exec(uploadId) ?? [];
  return staging && r2Id ? { key: objectKey({ storeId: address.storeId, fileId: address.fileId, staging }), r2Id } : undefined;
}

const noSuchUpload = (): Response => errorResponse(404, 'no_such_upload', 'No such upload: it was completed, aborted or never started');

/** A staging key names one upload's bytes: one used already is never given other bytes. */
const stagingUsed = (): Response =>
  errorResponse(409, 'staging_used', 'This staging address holds an upload already: start the upload again at a new one');

/** Another request is completing this upload: its answer comes soon, and this one, sent again, then gets it. */
const stillCompleting = (): Response =>
  errorResponse(503, 'completing', 'This upload is being completed by an earlier request: send the completion again shortly', { 'retry-after': '2' });

async function create(request: Request, env: FilesEnv, address: FileAddress | StagingAddress): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { size?: unknown } | null;
  const size = body?.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return errorResponse(400, 'bad_request', 'The body must be JSON with the file size: { "size": <bytes> }');
  }
  const max = maxFileSize(env);
  if (size > max) return errorResponse(413, 'too_large', `The file is larger than the limit of ${max} bytes`);
  const staging = 'staging' in address ? address.staging : newStaging();
  const key = objectKey({ storeId: address.storeId, fileId: address.fileId, staging });
  if ('staging' in address && (await env.FILES.head(key)) !== null) return stagingUsed();
  const upload = await env.FILES.createMultipartUpload(key, {
    httpMetadata: { contentType: contentTypeOf(request) },
    customMetadata: { declaredSize: String(size) },
  });
  // Aborted by the janitor if its client never completes or aborts it.
  const refused = await janitorFor(env, address.storeId).uploadStarted(key, upload.uploadId, size);
  if (refused !== undefined) {
    await upload.abort().catch(() => {});
    return quotaRefused(refused);
  }
  const uploadId = 'staging' in address ? upload.uploadId : `${staging}~${upload.uploadId}`;
  return json({ uploadId, minPartSize: MIN_PART_SIZE, maxPartSize: MAX_PART_SIZE, maxParts: MAX_PARTS }, 201);
}

async function uploadPart(request: Request, env: FilesEnv, { key, r2Id }: Upload, address: FileAddress | StagingAddress, partNumber: number): Promise<Response> {
  const lengthHeader = request.headers.get('content-length');
  if (lengthHeader === null || !/^\d+$/.test(lengthHeader)) return errorResponse(411, 'length_required', 'Content-Length is required');
  const size = Number(lengthHeader);
  if (size > MAX_PART_SIZE) return errorResponse(413, 'too_large', `A part is limited to ${MAX_PART_SIZE} bytes`);
  // The parts of an upload add up to no more than the size it declared: that is what the limits were checked on.
  const room = await janitorFor(env, address.storeId).partRoom(key, r2Id, partNumber);
  if (room !== undefined && size > room) return errorResponse(413, 'too_large', `The parts would add up to more than the size the upload declared`);
  if (request.body === null) return errorResponse(400, 'bad_request', 'The request has no body');
  // Stored and hashed side by side, as a single PUT is (see files.ts).
  const [toStore, toHash] = request.body.tee();
  const sized = new FixedLengthStream(size);
  const piping = toStore.pipeTo(sized.writable).catch(() => {});
  const hashing = hashStreamBlocks(toHash).catch(() => undefined);
  let part: R2UploadedPart;
  try {
    part = await env.FILES.resumeMultipartUpload(key, r2Id).uploadPart(partNumber, sized.readable);
  } catch (error) {
    await toHash.cancel().catch(() => {});
    return r2Refusal(error) ?? Promise.reject(error);
  }
  await piping;
  const blocks = await hashing;
  if (blocks !== undefined) await janitorFor(env, address.storeId).partStored(key, r2Id, { partNumber, etag: part.etag, size, blocks });
  return json({ partNumber: part.partNumber, etag: part.etag }, 200);
}

async function complete(request: Request, env: FilesEnv, { key, r2Id }: Upload, address: FileAddress | StagingAddress): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { parts?: unknown; hash?: unknown } | null;
  const parts = parseParts(body?.parts);
  if (parts === undefined) {
    return errorResponse(400, 'invalid_parts', 'The body must list the parts in order: { "parts": [{ "partNumber", "etag" }] }');
  }
  // The content this upload is of: named by its path, or by its completion when it went to a staging address.
  const content = { storeId: address.storeId, fileId: address.fileId, hash: 'hash' in address ? address.hash : body?.hash };
  if (!isFileAddress(content) || (body?.hash !== undefined && body.hash !== content.hash)) {
    return errorResponse(400, 'bad_request', 'The body must name the content hash of the file, 64 lowercase hex digits, as its path does if it has one: { "parts", "hash" }');
  }
  const janitor = janitorFor(env, address.storeId);
  // A completion sent again while the first is still checking the bytes waits for it, rather than being
  // taken for another upload at the same staging key and starting the whole upload over.
  if ((await janitor.beginCompletion(key, r2Id)) === 'busy') return stillCompleting();
  let object: R2Object | null;
  try {
    // R2 would replace what the staging key holds: bytes a content key may point to.
    object = (await env.FILES.head(key)) === null ? await env.FILES.resumeMultipartUpload(key, r2Id).complete(parts) : null;
  } catch (error) {
    await janitor.completionFailed(key, r2Id);
    return r2Refusal(error) ?? Promise.reject(error);
  }
  try {
    if (object === null) {
      // A completion sent again after its answer was lost finds its content stored.
      await env.FILES.resumeMultipartUpload(key, r2Id).abort().catch(() => {});
      const served = await servedHead(env, objectKey(content));
      return served === null ? stagingUsed() : stored(content, served, 200);
    }
    if (env.INJECT_FAULT === 'end-after-staging') throw new Error('Fault injected on purpose (INJECT_FAULT): the upload ends after its bytes are staged');
    return await checkAndPoint(env, content, key, object, parts, await janitor.storedParts(key, r2Id));
  } finally {
    await janitor.uploadEnded(key, r2Id);
  }
}

/** Makes the content key point to the assembled bytes if they are what the upload declared and named. */
async function checkAndPoint(
  env: FilesEnv,
  content: FileAddress,
  key: string,
  object: R2Object,
  parts: readonly R2UploadedPart[],
  streamedIn: readonly StoredPart[],
): Promise<Response> {
  const declared = Number(object.customMetadata?.declaredSize ?? NaN);
  if (object.size !== declared) {
    await env.FILES.delete(key);
    return errorResponse(422, 'size_mismatch', `The parts add up to ${object.size} bytes, not the ${declared} declared`);
  }
  const fromParts = await hashFromParts(parts, streamedIn);
  if (fromParts === undefined) {
    // The slow path (the whole file read back), said in the worker's log: on a large file it holds the upload's
    // completion for minutes, and the log is where an operator can see why.
    console.warn(`Completing ${key}: its parts' digests do not make the file's hash (${parts.length} parts listed, ${streamedIn.length} hashed as they came in); reading ${object.size} bytes back`);
  }
  if ((fromParts ?? (await contentHashOf(env, key))) !== content.hash) {
    await env.FILES.delete(key);
    return errorResponse(422, 'hash_mismatch', "The uploaded bytes do not match the key's content hash");
  }
  await janitorFor(env, content.storeId).stored(objectKey(content), object.size, await pointTo(env, objectKey(content), key, object));
  return stored(content, object);
}

function parseParts(value: unknown): R2UploadedPart[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARTS) return undefined;
  const parts: R2UploadedPart[] = [];
  for (const [i, part] of value.entries()) {
    const { partNumber, etag } = (part ?? {}) as { partNumber?: unknown; etag?: unknown };
    if (partNumber !== i + 1 || typeof etag !== 'string' || etag.length === 0 || etag.length > 256) return undefined;
    parts.push({ partNumber, etag });
  }
  return parts;
}

/**
 * The content hash of the parts listed, from their digests as they streamed in; undefined when it cannot be
 * known that way: a part listed that was not hashed with the etag listed (sent before this worker kept
 * digests, say), or a part before the last whose size is not a whole number of blocks, so that a block
 * would straddle two parts.
 */
async function hashFromParts(parts: readonly R2UploadedPart[], streamedIn: readonly StoredPart[]): Promise<string | undefined> {
  const byNumber = new Map(streamedIn.map((part) => [part.partNumber, part]));
  const blocks: Uint8Array[] = [];
  for (const [i, { partNumber, etag }] of parts.entries()) {
    const part = byNumber.get(partNumber);
    if (part === undefined || part.etag !== etag) return undefined;
    if (i < parts.length - 1 && part.size % CONTENT_BLOCK_SIZE !== 0) return undefined;
    blocks.push(part.blocks);
  }
  return contentHashOfBlocks(concatBytes(blocks));
}

/**
 * The content hash of a stored object, read back. Other requests of the isolate (its sync sockets among them)
 * get their turn between blocks: read from R2 and hashed without a pause, a large file held them all.
 */
async function contentHashOf(env: FilesEnv, key: string): Promise<string | undefined> {
  const object = await env.FILES.get(key);
  if (object === null) return undefined;
  let sincePause = 0;
  const paced = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      controller.enqueue(chunk);
      sincePause += chunk.byteLength;
      if (sincePause < CONTENT_BLOCK_SIZE) return;
      sincePause = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  });
  return hashStream(object.body.pipeThrough(paced));
}

/** R2's refusals of a multipart step, as the API's JSON errors; undefined for anything else. */
function r2Refusal(error: unknown): Response | undefined {
  const text = String(error);
  if (/NoSuchUpload|upload does not exist|10024/i.test(text)) return noSuchUpload();
  if (/InvalidPart|EntityTooSmall|10025|10011|part/i.test(text)) {
    return errorResponse(400, 'invalid_parts', `R2 refused the parts: ${text.slice(0, 200)}`);
  }
  return undefined;
}
