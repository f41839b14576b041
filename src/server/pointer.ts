/**
 * Pointers: an empty object under a content key whose bytes were uploaded to a staging key, which R2 cannot
 * rename (see multipart.ts). Reads of the content key follow it (files.ts); the janitor deletes both.
 *
 * Known gap: bytes of the same content stored again under the same content key by a single PUT or an
 * unstaged multipart upload replace the pointer and leave its staged bytes behind, unreachable. The kit
 * never does this (it sends a file in parts or whole by its size, and a staged completion whose content is
 * already stored drops its own copy); the staging keys share the prefix of their file for a cleanup by listing.
 */

/** The custom metadata entry that makes an object a pointer: the staging key of the bytes. */
export const STORED_AT = 'stored-at';

/** The staging key a content key's object points to, if it is a pointer. */
export const pointerTarget = (object: R2Object | null): string | undefined => object?.customMetadata?.[STORED_AT];
