/**
 * Pointers: an empty object under a content key whose bytes were uploaded to a staging key, which R2 cannot
 * rename (see multipart.ts). Reads of the content key follow it (files.ts). The janitor keeps which content
 * keys point where, so that deleting a content key deletes its staged bytes without reading the pointer.
 *
 * Known gap: bytes of the same content stored again under the same content key by a single PUT or an
 * unstaged multipart upload replace the pointer, and its staged bytes stay unreachable until the content
 * key is deleted (the janitor then removes them too). The kit never does this: it sends a file in parts or
 * whole by its size, and a staged completion whose content is already stored drops its own copy.
 */

/** The custom metadata entry that makes an object a pointer: the staging key of the bytes. */
export const STORED_AT = 'stored-at';

/** The staging key a content key's object points to, if it is a pointer. */
export const pointerTarget = (object: R2Object | null): string | undefined => object?.customMetadata?.[STORED_AT];
