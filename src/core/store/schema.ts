/**
 * The LiveStore schema of the file-sync core. Exported piece by piece (`fileSyncTables`, `fileSyncEvents`,
 * `fileSyncMaterializers`) so an app can merge them into its own schema, and whole (`fileSyncSchema`).
 *
 * Two kinds of state:
 * - `files` (synced): what every device knows of a file: its name, type, size, content hash and whether
 *   its bytes have reached remote storage. Never a URL: the endpoint is configuration, not data.
 * - `file_local_state` (this client only, shared by its tabs): facts about the bytes on this device, one
 *   row per file, each fact written by its own client-only event so concurrent writers never undo each
 *   other (a single JSON document updated read-modify-write loses updates).
 */
import { Events, makeSchema, Schema, State } from '@livestore/livestore';
import { ID_PATTERN, SHA256_PATTERN } from '../wire.js';
import { fileCreatedArgs, fileDeletedArgs, fileReplacedArgs, fileUploadedArgs, imageMetaSetArgs } from './synced-args.js';

export const filesTable = State.SQLite.table({
  name: 'files',
  columns: {
    id: State.SQLite.text({ primaryKey: true }),
    name: State.SQLite.text({ default: '' }),
    type: State.SQLite.text({ default: '' }),
    size: State.SQLite.integer({ default: 0 }),
    /** Content hash of the bytes (SHA-256 over the SHA-256 digests of 4 MiB blocks, see hash.ts), lowercase hex. */
    hash: State.SQLite.text({ default: '' }),
    /** Key of the uploaded bytes relative to the store (`<fileId>/<hash>`); null until the upload is confirmed. */
    remoteKey: State.SQLite.text({ nullable: true }),
    /** Pixel size of an image, to reserve its box before it loads; null for other files. */
    width: State.SQLite.integer({ nullable: true }),
    height: State.SQLite.integer({ nullable: true }),
    /** A tiny preview of an image (a data URL of a few hundred bytes) that peers show before the download. */
    preview: State.SQLite.text({ nullable: true }),
    createdAt: State.SQLite.integer({ default: 0 }),
    updatedAt: State.SQLite.integer({ default: 0 }),
    deletedAt: State.SQLite.integer({ nullable: true }),
    /** A digest of the events that changed the row, in order (see `revStep`): a reader re-reads only the rows whose `rev` moved. */
    rev: State.SQLite.integer({ default: 0 }),
  },
});

/**
 * Every content a file has had, by hash. Last writer wins for the `files` record, but the bytes of a
 * replaced or concurrently written version stay reachable here (and remotely under `<fileId>/<hash>`).
 */
export const fileVersionsTable = State.SQLite.table({
  name: 'file_versions',
  columns: {
    /** `<fileId>:<hash>`. */
    key: State.SQLite.text({ primaryKey: true }),
    fileId: State.SQLite.text(),
    hash: State.SQLite.text(),
    size: State.SQLite.integer({ default: 0 }),
    type: State.SQLite.text({ default: '' }),
    createdAt: State.SQLite.integer({ default: 0 }),
    /** Set once these bytes are in remote storage. */
    remoteKey: State.SQLite.text({ nullable: true }),
  },
});

export const fileLocalStateTable = State.SQLite.table({
  name: 'file_local_state',
  columns: {
    id: State.SQLite.text({ primaryKey: true }),
    /** Content hash of the bytes this device holds in OPFS; null when it holds none. */
    localHash: State.SQLite.text({ nullable: true }),
    /** A transfer that failed for a reason retrying cannot fix; JSON of `TransferFailure`. */
    failure: State.SQLite.text({ nullable: true }),
    /** A multipart upload in progress, JSON of `{ uploadId, hash, partSize, staging? }`; its acknowledged parts are in `upload_parts`. */
    upload: State.SQLite.text({ nullable: true }),
    /** This device deleted the file and still owes the remote delete. */
    remoteDeletePending: State.SQLite.boolean({ default: false }),
    /** When this device last saved, fetched or showed the file: what the cache budget evicts by (oldest first). */
    usedAt: State.SQLite.integer({ default: 0 }),
    /** The local copy was removed to keep within the cache budget: fetched again only when asked for. */
    evicted: State.SQLite.boolean({ default: false }),
    updatedAt: State.SQLite.integer({ default: 0 }),
    /** A digest of the events that changed the row, in order (see `revStep`). */
    rev: State.SQLite.integer({ default: 0 }),
  },
});

/** The parts of a multipart upload the server has acknowledged: what a resumed upload skips. */
export const uploadPartsTable = State.SQLite.table({
  name: 'upload_parts',
  columns: {
    /** `<fileId>:<partNumber>` (composite keys are not supported). */
    key: State.SQLite.text({ primaryKey: true }),
    fileId: State.SQLite.text(),
    uploadId: State.SQLite.text(),
    partNumber: State.SQLite.integer(),
    etag: State.SQLite.text(),
  },
});

export const fileSyncTables = {
  files: filesTable,
  fileVersions: fileVersionsTable,
  fileLocalState: fileLocalStateTable,
  uploadParts: uploadPartsTable,
};

const FileId = Schema.String.pipe(Schema.pattern(ID_PATTERN));
const Sha256 = Schema.String.pipe(Schema.pattern(SHA256_PATTERN));

/** A client-only fact about one file at one moment, with nothing more to carry than when. */
const fileMoment = <const Name extends string>(name: Name) =>
  Events.clientOnly({ name, schema: Schema.Struct({ id: FileId, at: Schema.Number }) });

export const fileSyncEvents = {
  fileCreated: Events.synced({ name: 'lsfs.v1.FileCreated', schema: fileCreatedArgs }),
  fileReplaced: Events.synced({ name: 'lsfs.v1.FileReplaced', schema: fileReplacedArgs }),
  fileUploaded: Events.synced({ name: 'lsfs.v1.FileUploaded', schema: fileUploadedArgs }),
  imageMetaSet: Events.synced({ name: 'lsfs.v1.ImageMetaSet', schema: imageMetaSetArgs }),
  fileDeleted: Events.synced({ name: 'lsfs.v1.FileDeleted', schema: fileDeletedArgs }),
  localCopyStored: Events.clientOnly({
    name: 'lsfs.v1.LocalCopyStored',
    schema: Schema.Struct({ id: FileId, hash: Sha256, at: Schema.Number }),
  }),
  localCopyRemoved: fileMoment('lsfs.v1.LocalCopyRemoved'),
  localCopyEvicted: fileMoment('lsfs.v1.LocalCopyEvicted'),
  /** The file was shown or asked for on this device (at most about once a minute per file). */
  localCopyUsed: fileMoment('lsfs.v1.LocalCopyUsed'),
  transferFailed: Events.clientOnly({
    name: 'lsfs.v1.TransferFailed',
    schema: Schema.Struct({ id: FileId, failure: Schema.String, at: Schema.Number }),
  }),
  transferFailureCleared: fileMoment('lsfs.v1.TransferFailureCleared'),
  uploadStarted: Events.clientOnly({
    name: 'lsfs.v1.UploadStarted',
    schema: Schema.Struct({
      id: FileId,
      hash: Sha256,
      uploadId: Schema.String,
      partSize: Schema.Number,
      /** The staging segment the parts go to (see src/server/multipart.ts); absent in uploads begun under the content key. */
      staging: Schema.optional(Schema.String),
      at: Schema.Number,
    }),
  }),
  uploadPartDone: Events.clientOnly({
    name: 'lsfs.v1.UploadPartDone',
    schema: Schema.Struct({ id: FileId, uploadId: Schema.String, partNumber: Schema.Number, etag: Schema.String }),
  }),
  uploadCleared: fileMoment('lsfs.v1.UploadCleared'),
  remoteDeleteRequested: fileMoment('lsfs.v1.RemoteDeleteRequested'),
  remoteDeleteDone: fileMoment('lsfs.v1.RemoteDeleteDone'),
};

const local = fileLocalStateTable;

/**
 * A row's `rev` is a digest of the events that changed it, in the order they did: each one folds a number
 * derived from the event's name and arguments into the row's `rev`, in the same SQL statement that writes
 * the row. A reader that saw a row at one `rev` and sees the same `rev` again has seen the same row (up to a
 * collision of a 40-bit digest): the same events made it. A rollback restores the `rev` with the row, and a
 * replay after a rebase folds the same numbers again, so a materializer stays a pure function of its event,
 * as LiveStore requires (its development builds check it), where a `rev` naming the event's sequence number
 * changed whenever a rebase moved the event.
 */
const REV_MODULUS = 1_099_511_627_689; // the largest prime below 2^40: (rev * REV_MULTIPLIER + step) stays below 2^63
const REV_MULTIPLIER = 1_000_003;

/** FNV-1a (32 bits) of the event's name and arguments: the same event gives the same step on every device. */
export function revStep(name: string, args: unknown): number {
  const text = name + JSON.stringify(args);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The SQL assignment that folds an event's step, bound as `revStep`, into a row's `rev`: for an app's own
 * materializer that writes the kit's tables (`UPDATE files SET …, ${REV_FOLD_SQL} WHERE …` with
 * `revStep: revStep(event.name, event.args)` among its bind values). Bound rather than written into the SQL,
 * so the statement is the same for every event and LiveStore's statement cache keeps it.
 */
export const REV_FOLD_SQL = `rev = (rev * ${REV_MULTIPLIER} + $revStep) % ${REV_MODULUS}`;

type Bindable = string | number | null;

/** `UPDATE <table> SET <values>, rev = <rev folded with step> WHERE <where>`, as a materializer's raw statement. */
function updateRow(table: string, values: Record<string, Bindable | boolean>, where: Record<string, string>, step: number) {
  const bindValues: Record<string, Bindable> = { revStep: step };
  const set = Object.entries(values).map(([column, value]) => {
    bindValues[`set_${column}`] = typeof value === 'boolean' ? Number(value) : value;
    return `${column} = $set_${column}`;
  });
  const conditions = Object.entries(where).map(([column, value]) => {
    bindValues[`where_${column}`] = value;
    return `${column} = $where_${column}`;
  });
  return {
    sql: `UPDATE ${table} SET ${[...set, REV_FOLD_SQL].join(', ')} WHERE ${conditions.join(' AND ')}`,
    bindValues,
    writeTables: new Set([table]),
  };
}

/** Upserts columns of a local row (events may arrive for a file this device has no row for yet), folding the event into its `rev`. */
const upsertLocal = (id: string, at: number, step: number, values: Partial<typeof local.Type>) => [
  local.insert({ id }).onConflict('id', 'ignore'),
  updateRow(local.sqliteDef.name, { updatedAt: at, ...values }, { id }, step),
];

const version = ({ id, hash, size, type, createdAt }: { id: string; hash: string; size: number; type: string; createdAt: number }) =>
  fileVersionsTable.insert({ key: `${id}:${hash}`, fileId: id, hash, size, type, createdAt, remoteKey: null }).onConflict('key', 'ignore');

// Every materializer is idempotent (upserts and conditional updates): a rebase replays events. Each one that
// writes a `files` or `file_local_state` row folds its event into the row's `rev`.
const files = filesTable.sqliteDef.name;
const step = (event: { name: string; args: unknown }) => revStep(event.name, event.args);

export const fileSyncMaterializers = State.SQLite.materializers(fileSyncEvents, {
  'lsfs.v1.FileCreated': ({ id, name, type, size, hash, createdAt }, { event }) => [
    filesTable
      .insert({ id, name, type, size, hash, createdAt, updatedAt: createdAt, remoteKey: null, deletedAt: null, width: null, height: null, preview: null, rev: step(event) })
      .onConflict('id', 'ignore'),
    version({ id, hash, size, type, createdAt }),
  ],
  'lsfs.v1.FileReplaced': ({ id, name, type, size, hash, replacedAt }, { event }) => [
    updateRow(files, { name, type, size, hash, remoteKey: null, updatedAt: replacedAt, width: null, height: null, preview: null }, { id }, step(event)),
    version({ id, hash, size, type, createdAt: replacedAt }),
  ],
  // Conditional on the hash: a late confirmation of older content never marks newer content as uploaded.
  'lsfs.v1.FileUploaded': ({ id, hash, remoteKey, uploadedAt }, { event }) => [
    updateRow(files, { remoteKey, updatedAt: uploadedAt }, { id, hash }, step(event)),
    fileVersionsTable.update({ remoteKey }).where({ key: `${id}:${hash}` }),
  ],
  // Conditional on the hash: the preview of replaced content never lands on the new content.
  'lsfs.v1.ImageMetaSet': ({ id, hash, width, height, preview }, { event }) =>
    updateRow(files, { width, height, preview }, { id, hash }, step(event)),
  'lsfs.v1.FileDeleted': ({ id, deletedAt }, { event }) => updateRow(files, { deletedAt, updatedAt: deletedAt }, { id }, step(event)),
  'lsfs.v1.LocalCopyStored': ({ id, hash, at }, { event }) => upsertLocal(id, at, step(event), { localHash: hash, usedAt: at, evicted: false }),
  'lsfs.v1.LocalCopyRemoved': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { localHash: null }),
  'lsfs.v1.LocalCopyEvicted': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { localHash: null, evicted: true }),
  'lsfs.v1.LocalCopyUsed': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { usedAt: at, evicted: false }),
  'lsfs.v1.TransferFailed': ({ id, failure, at }, { event }) => upsertLocal(id, at, step(event), { failure }),
  'lsfs.v1.TransferFailureCleared': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { failure: null }),
  'lsfs.v1.UploadStarted': ({ id, hash, uploadId, partSize, staging, at }, { event }) => [
    uploadPartsTable.delete().where({ fileId: id }),
    ...upsertLocal(id, at, step(event), { upload: JSON.stringify({ uploadId, hash, partSize, staging }) }),
  ],
  'lsfs.v1.UploadPartDone': ({ id, uploadId, partNumber, etag }) =>
    uploadPartsTable.insert({ key: `${id}:${partNumber}`, fileId: id, uploadId, partNumber, etag }).onConflict('key', 'replace'),
  'lsfs.v1.UploadCleared': ({ id, at }, { event }) => [uploadPartsTable.delete().where({ fileId: id }), ...upsertLocal(id, at, step(event), { upload: null })],
  'lsfs.v1.RemoteDeleteRequested': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { remoteDeletePending: true }),
  'lsfs.v1.RemoteDeleteDone': ({ id, at }, { event }) => upsertLocal(id, at, step(event), { remoteDeletePending: false }),
});

export const fileSyncSchema = makeSchema({
  events: fileSyncEvents,
  state: State.SQLite.makeState({ tables: fileSyncTables, materializers: fileSyncMaterializers }),
});

export type FileSyncSchema = typeof fileSyncSchema;
export type FileRow = typeof filesTable.Type;
export type FileVersionRow = typeof fileVersionsTable.Type;
export type FileLocalStateRow = typeof fileLocalStateTable.Type;
export type UploadPartRow = typeof uploadPartsTable.Type;
