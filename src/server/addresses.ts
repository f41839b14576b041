/**
 * Where a file's bytes live: the API paths a client asks for, parsed into validated addresses, and the R2
 * object keys built from those (never from the client's path, so no path can reach another store's objects).
 */
import { ID_PATTERN, MAX_PARTS, SHA256_PATTERN, STAGING_PATTERN } from '../core/wire.js';

export interface FileAddress {
  readonly storeId: string;
  readonly fileId: string;
  readonly hash: string;
}

/** Where a multipart upload begun before its content hash was known puts its bytes (see multipart.ts). */
export interface StagingAddress {
  readonly storeId: string;
  readonly fileId: string;
  /** `u-` and the client's random token. */
  readonly staging: string;
}

/** What a file path asks for: the object itself, or a step of a multipart upload of it. */
export type FileRoute =
  | { readonly kind: 'object' }
  | { readonly kind: 'restore' }
  | { readonly kind: 'uploads' }
  | { readonly kind: 'upload'; readonly uploadId: string }
  | { readonly kind: 'complete'; readonly uploadId: string }
  | { readonly kind: 'part'; readonly uploadId: string; readonly partNumber: number };

export type MultipartRoute = Exclude<FileRoute, { kind: 'object' | 'restore' }>;

/** A path under a content address (`<hash>`) or under a staging one, which has multipart routes only. */
export type ParsedFilePath =
  | { readonly at: 'content'; readonly address: FileAddress; readonly route: FileRoute }
  | { readonly at: 'staging'; readonly address: StagingAddress; readonly route: MultipartRoute };

const UPLOAD_ID = /^[\x21-\x7e]{1,1024}$/;
const PART_NUMBER = /^[1-9]\d{0,4}$/;

/**
 * The file path a request names: its URL's own, or, at a store's one file route (`/api/stores/<storeId>/file`,
 * see `storeFileRoute`), the store's `files/` path with the header's value after it. Built as a string and
 * parsed as any path is, segment by segment and undecoded, so the header can name nothing a URL could not.
 */
export function fileRequestPath(pathname: string, header: string | null): string {
  const parts = pathname.split('/');
  if (parts.length !== 5 || parts[1] !== 'api' || parts[2] !== 'stores' || parts[4] !== 'file') return pathname;
  // No header: a path with no file in it, which parseFilePath refuses.
  return `/api/stores/${parts[3]}/files/${header ?? ''}`;
}

/**
 * Parses `/api/stores/<storeId>/files/<fileId>/<hash>[/uploads[/<uploadId>[/complete|/parts/<n>]]]`, or a
 * multipart route under a staging address instead of `<hash>`; undefined when the path is not under
 * `/api/stores/`, `'invalid'` when it is but is malformed.
 */
export function parseFilePath(pathname: string): ParsedFilePath | 'invalid' | undefined {
  const parts = pathname.split('/');
  if (parts[1] !== 'api' || parts[2] !== 'stores') return undefined;
  const [, , , storeId, files, fileId, last, ...rest] = parts;
  if (files !== 'files' || !storeId || !fileId || !last) return 'invalid';
  // Raw (undecoded) segments: `%2e%2e` or `%2f` never match the pattern, so they are refused, not decoded.
  if (STAGING_PATTERN.test(last)) {
    const route = uploadRoute(rest);
    return ID_PATTERN.test(storeId) && ID_PATTERN.test(fileId) && route !== 'invalid' ? { at: 'staging', address: { storeId, fileId, staging: last }, route } : 'invalid';
  }
  const address = { storeId, fileId, hash: last };
  if (!isFileAddress(address)) return 'invalid';
  if (rest.length === 0) return { at: 'content', address, route: { kind: 'object' } };
  if (rest.length === 1 && rest[0] === 'restore') return { at: 'content', address, route: { kind: 'restore' } };
  const route = uploadRoute(rest);
  return route === 'invalid' ? route : { at: 'content', address, route };
}

/** `uploads[/<uploadId>[/complete|/parts/<n>]]`, the path segments after a file's address. */
function uploadRoute(rest: readonly string[]): MultipartRoute | 'invalid' {
  if (rest[0] !== 'uploads') return 'invalid';
  if (rest.length === 1) return { kind: 'uploads' };
  let uploadId: string;
  try {
    uploadId = decodeURIComponent(rest[1] ?? '');
  } catch {
    return 'invalid';
  }
  if (!UPLOAD_ID.test(uploadId)) return 'invalid';
  if (rest.length === 2) return { kind: 'upload', uploadId };
  if (rest.length === 3 && rest[2] === 'complete') return { kind: 'complete', uploadId };
  if (rest.length === 4 && rest[2] === 'parts' && PART_NUMBER.test(rest[3] ?? '')) {
    const partNumber = Number(rest[3]);
    if (partNumber <= MAX_PARTS) return { kind: 'part', uploadId, partNumber };
  }
  return 'invalid';
}

export const isFileAddress = (address: { storeId: unknown; fileId: unknown; hash: unknown }): address is FileAddress =>
  typeof address.storeId === 'string' &&
  ID_PATTERN.test(address.storeId) &&
  typeof address.fileId === 'string' &&
  ID_PATTERN.test(address.fileId) &&
  typeof address.hash === 'string' &&
  SHA256_PATTERN.test(address.hash);

export const objectKey = (address: FileAddress | StagingAddress): string =>
  `stores/${address.storeId}/files/${address.fileId}/${'hash' in address ? address.hash : address.staging}`;
