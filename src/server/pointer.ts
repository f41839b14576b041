/**
 * Content keys are written once. Bytes always go to a staging key first (`<fileId>/u-<token>`), are checked
 * against the content hash there, and only then does the content key come to exist: as a pointer, an empty
 * object whose metadata names the staged bytes and their etag, since R2 cannot rename. So a failed or hostile
 * upload never replaces nor deletes what a content key holds, and a content key that exists holds checked
 * bytes. Reads follow the pointer (files.ts), only to the very object it was made for: bytes put at a staging
 * key afterwards are never served under the content key. The janitor keeps which content keys point where,
 * so that deleting a content key deletes its staged bytes without reading the pointer.
 */
import type { FilesEnv } from './objects.js';

/** The custom metadata entries that make an object a pointer: the staging key of the bytes, and their etag. */
const STORED_AT = 'stored-at';
const STORED_ETAG = 'stored-etag';

/** The staging key a content key's object points to, if it is a pointer. */
export const pointerTarget = (object: R2Object | null): string | undefined => object?.customMetadata?.[STORED_AT];

/**
 * Whether `target` is the object `pointer` was made for. Pointers made before their etag was recorded name
 * their target only.
 */
export function isPointedObject(pointer: R2Object, target: R2Object | null): boolean {
  const etag = pointer.customMetadata?.[STORED_ETAG];
  return target !== null && (etag === undefined || etag === target.etag);
}

/** What a content key serves: its object, or the staged object its pointer was made for; null for nothing. */
export async function servedHead(env: Pick<FilesEnv, 'FILES'>, key: string): Promise<R2Object | null> {
  const object = await env.FILES.head(key);
  const target = pointerTarget(object);
  if (object === null || target === undefined) return object;
  const staged = await env.FILES.head(target);
  return isPointedObject(object, staged) ? staged : null;
}

/**
 * Makes the content key name the bytes just checked at `stagingKey`, unless it already serves bytes of the
 * same content (checked when they came); then the staged copy is dropped. Returns the staging key the content
 * key points to now, or undefined when the staged copy was dropped.
 */
export async function pointTo(env: FilesEnv, contentKey: string, stagingKey: string, staged: R2Object): Promise<string | undefined> {
  const pointer = {
    ...(staged.httpMetadata ? { httpMetadata: staged.httpMetadata } : {}),
    customMetadata: { [STORED_AT]: stagingKey, [STORED_ETAG]: staged.etag },
  };
  // Created only where nothing is: two uploads of one content at once make one pointer.
  if ((await env.FILES.put(contentKey, new Uint8Array(0), { ...pointer, onlyIf: { etagDoesNotMatch: '*' } })) !== null) return stagingKey;
  if ((await servedHead(env, contentKey)) !== null) {
    await env.FILES.delete(stagingKey);
    return undefined;
  }
  // A pointer whose bytes are gone serves nothing: the checked bytes take its place.
  await env.FILES.put(contentKey, new Uint8Array(0), pointer);
  return stagingKey;
}
