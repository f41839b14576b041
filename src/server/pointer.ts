/**
 * Pointers: an empty object under a content key whose bytes were uploaded to a staging key, which R2 cannot
 * rename (see multipart.ts). Reads of the content key follow it (files.ts); the janitor deletes both.
 */

/** The custom metadata entry that makes an object a pointer: the staging key of the bytes. */
export const STORED_AT = 'stored-at';

/** The staging key a content key's object points to, if it is a pointer. */
export const pointerTarget = (object: R2Object | null): string | undefined => object?.customMetadata?.[STORED_AT];
