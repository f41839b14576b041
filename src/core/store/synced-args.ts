/**
 * The arguments of the kit's synced events, with the limits every record keeps. The client's schema
 * (schema.ts) commits nothing else, and the worker (src/server/sync.ts) refuses a push that carries anything
 * else: one malformed record in a store's log would break every device that reads it, for good, since the log
 * only grows. Plain Effect schemas, so that the worker checks events without bundling LiveStore's client.
 */
import { Either, ParseResult, Schema } from 'effect';
import { ID_PATTERN, MAX_NAME_LENGTH, MAX_TYPE_LENGTH, SHA256_PATTERN, remoteKeyOf } from '../wire.js';

const FileId = Schema.String.pipe(Schema.pattern(ID_PATTERN));
const Sha256 = Schema.String.pipe(Schema.pattern(SHA256_PATTERN));
const Name = Schema.String.pipe(Schema.maxLength(MAX_NAME_LENGTH));
const MediaType = Schema.String.pipe(Schema.maxLength(MAX_TYPE_LENGTH));
const Bytes = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
/** Milliseconds since 1970, as `Date.now()` gives them. */
const Time = Schema.Number.pipe(Schema.finite(), Schema.nonNegative());
const Pixels = Schema.Number.pipe(Schema.int(), Schema.nonNegative(), Schema.lessThanOrEqualTo(1_000_000));
/** A tiny image inlined in the record (see images/image-meta.ts): never a URL every viewer would load. */
const Preview = Schema.String.pipe(
  Schema.maxLength(4096),
  Schema.pattern(/^data:image\/(?:jpeg|png|webp|gif|avif);base64,[A-Za-z0-9+/]*={0,2}$/, { message: () => 'a preview is a small data:image/…;base64 URL' }),
);

export const fileCreatedArgs = Schema.Struct({ id: FileId, name: Name, type: MediaType, size: Bytes, hash: Sha256, createdAt: Time });
export const fileReplacedArgs = Schema.Struct({ id: FileId, name: Name, type: MediaType, size: Bytes, hash: Sha256, replacedAt: Time });
/** Where the bytes are follows from the file and its hash; a record naming anywhere else is refused. */
export const fileUploadedArgs = Schema.Struct({ id: FileId, hash: Sha256, remoteKey: Schema.String, uploadedAt: Time }).pipe(
  Schema.filter((args) => args.remoteKey === remoteKeyOf(args.id, args.hash) || 'remoteKey is not <id>/<hash> of this file'),
);
export const imageMetaSetArgs = Schema.Struct({ id: FileId, hash: Sha256, width: Pixels, height: Pixels, preview: Preview });
export const fileDeletedArgs = Schema.Struct({ id: FileId, deletedAt: Time });

/** The synced events by name: every event the kit's devices push. */
export const syncedEventArgs: ReadonlyMap<string, Schema.Schema.AnyNoContext> = new Map<string, Schema.Schema.AnyNoContext>([
  ['lsfs.v1.FileCreated', fileCreatedArgs],
  ['lsfs.v1.FileReplaced', fileReplacedArgs],
  ['lsfs.v1.FileUploaded', fileUploadedArgs],
  ['lsfs.v1.ImageMetaSet', imageMetaSetArgs],
  ['lsfs.v1.FileDeleted', fileDeletedArgs],
]);

/** The kit's events are named `lsfs.v<version>.<Name>`; other names belong to an app that merged its own events in. */
export const isKitEventName = (name: string): boolean => name.startsWith('lsfs.');

/** The largest arguments an event may carry, as JSON: a name of 1,024 characters escaped and a preview fit well within. */
export const MAX_EVENT_ARGS_BYTES = 16 * 1024;

/**
 * Why a pushed event of the kit is not one its devices could have made, or undefined when it is. Extra
 * properties are refused too: what a record carries is what every device stores.
 */
export function invalidKitEvent(name: string, args: unknown): string | undefined {
  const schema = syncedEventArgs.get(name);
  if (schema === undefined) return `${name} is not an event of this version of the kit`;
  if (new TextEncoder().encode(JSON.stringify(args) ?? '').length > MAX_EVENT_ARGS_BYTES) return `${name}: its arguments are larger than ${MAX_EVENT_ARGS_BYTES} bytes`;
  const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: 'error' })(args);
  if (Either.isRight(decoded)) return undefined;
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left);
  return `${name}: ${first ? `${first.path.join('.') || 'arguments'}: ${first.message}` : 'arguments do not decode'}`.slice(0, 300);
}
