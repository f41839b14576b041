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
    /** Which event last changed the row (see `eventRev`): a reader re-reads only the rows whose `rev` moved. */
    rev: State.SQLite.text({ default: '' }),
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
    /** Which event last changed the row (see `eventRev`). */
    rev: State.SQLite.text({ default: '' }),
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

const FileId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,128}$/));
const Sha256 = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/));

/** A client-only fact about one file at one moment, with nothing more to carry than when. */
const fileMoment = <const Name extends string>(name: Name) =>
  Events.clientOnly({ name, schema: Schema.Struct({ id: FileId, at: Schema.Number }) });

export const fileSyncEvents = {
  fileCreated: Events.synced({
    name: 'lsfs.v1.FileCreated',
    schema: Schema.Struct({
      id: FileId,
      name: Schema.String,
      type: Schema.String,
      size: Schema.Number,
      hash: Sha256,
      createdAt: Schema.Number,
    }),
  }),
  fileReplaced: Events.synced({
    name: 'lsfs.v1.FileReplaced',
    schema: Schema.Struct({ id: FileId, name: Schema.String, type: Schema.String, size: Schema.Number, hash: Sha256, replacedAt: Schema.Number }),
  }),
  fileUploaded: Events.synced({
    name: 'lsfs.v1.FileUploaded',
    schema: Schema.Struct({ id: FileId, hash: Sha256, remoteKey: Schema.String, uploadedAt: Schema.Number }),
  }),
  imageMetaSet: Events.synced({
    name: 'lsfs.v1.ImageMetaSet',
    schema: Schema.Struct({
      id: FileId,
      hash: Sha256,
      width: Schema.Number,
      height: Schema.Number,
      // A 16-pixel JPEG as a data URL: bounded so a record stays small.
      preview: Schema.String.pipe(Schema.maxLength(4096)),
    }),
  }),
  fileDeleted: Events.synced({
    name: 'lsfs.v1.FileDeleted',
    schema: Schema.Struct({ id: FileId, deletedAt: Schema.Number }),
  }),
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

/** What a materializer is told of the event it applies. */
type EventMeta = Parameters<Parameters<typeof State.SQLite.materializers>[1][string]>[1]['event'];

/**
 * The identity of an event, as a row's `rev`: who committed it (client and session) and where it sits in the
 * log (global and client sequence numbers, and the rebase generation). A reader that saw a row at one `rev`
 * and sees the same `rev` again has seen the same row: the same event was the last to change it, after the
 * same history. A rollback restores each row with the `rev` it had, and an event applied again after a
 * rebase gets a new generation, so its rows get a new `rev`; events of other devices come with numbers the
 * sync backend gave them, which no other event has. The same event may carry another generation on another
 * device: a `rev` is compared only with what this device read before (src/core/row-mirror.ts).
 */
export const eventRev = ({ clientId, sessionId, seqNum }: EventMeta): string =>
  `${seqNum.global}.${seqNum.client}r${seqNum.rebaseGeneration}/${clientId}/${sessionId}`;

/** Upserts one column of a local row: events may arrive for a file this device has no row for yet. */
const upsertLocal = (id: string, at: number, rev: string, values: Partial<typeof local.Type>) =>
  local.insert({ id, updatedAt: at, rev, ...values }).onConflict('id', 'update', { updatedAt: at, rev, ...values });

const version = ({ id, hash, size, type, createdAt }: { id: string; hash: string; size: number; type: string; createdAt: number }) =>
  fileVersionsTable.insert({ key: `${id}:${hash}`, fileId: id, hash, size, type, createdAt, remoteKey: null }).onConflict('key', 'ignore');

// Every materializer is idempotent (upserts and conditional updates): a rebase replays events. Each one that
// writes a `files` or `file_local_state` row stamps it with its event's `rev`.
export const fileSyncMaterializers = State.SQLite.materializers(fileSyncEvents, {
  'lsfs.v1.FileCreated': ({ id, name, type, size, hash, createdAt }, { event }) => [
    filesTable
      .insert({ id, name, type, size, hash, createdAt, updatedAt: createdAt, remoteKey: null, deletedAt: null, width: null, height: null, preview: null, rev: eventRev(event) })
      .onConflict('id', 'ignore'),
    version({ id, hash, size, type, createdAt }),
  ],
  'lsfs.v1.FileReplaced': ({ id, name, type, size, hash, replacedAt }, { event }) => [
    filesTable.update({ name, type, size, hash, remoteKey: null, updatedAt: replacedAt, width: null, height: null, preview: null, rev: eventRev(event) }).where({ id }),
    version({ id, hash, size, type, createdAt: replacedAt }),
  ],
  // Conditional on the hash: a late confirmation of older content never marks newer content as uploaded.
  'lsfs.v1.FileUploaded': ({ id, hash, remoteKey, uploadedAt }, { event }) => [
    filesTable.update({ remoteKey, updatedAt: uploadedAt, rev: eventRev(event) }).where({ id, hash }),
    fileVersionsTable.update({ remoteKey }).where({ key: `${id}:${hash}` }),
  ],
  // Conditional on the hash: the preview of replaced content never lands on the new content.
  'lsfs.v1.ImageMetaSet': ({ id, hash, width, height, preview }, { event }) =>
    filesTable.update({ width, height, preview, rev: eventRev(event) }).where({ id, hash }),
  'lsfs.v1.FileDeleted': ({ id, deletedAt }, { event }) => filesTable.update({ deletedAt, updatedAt: deletedAt, rev: eventRev(event) }).where({ id }),
  'lsfs.v1.LocalCopyStored': ({ id, hash, at }, { event }) => upsertLocal(id, at, eventRev(event), { localHash: hash, usedAt: at, evicted: false }),
  'lsfs.v1.LocalCopyRemoved': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { localHash: null }),
  'lsfs.v1.LocalCopyEvicted': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { localHash: null, evicted: true }),
  'lsfs.v1.LocalCopyUsed': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { usedAt: at, evicted: false }),
  'lsfs.v1.TransferFailed': ({ id, failure, at }, { event }) => upsertLocal(id, at, eventRev(event), { failure }),
  'lsfs.v1.TransferFailureCleared': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { failure: null }),
  'lsfs.v1.UploadStarted': ({ id, hash, uploadId, partSize, staging, at }, { event }) => [
    uploadPartsTable.delete().where({ fileId: id }),
    upsertLocal(id, at, eventRev(event), { upload: JSON.stringify({ uploadId, hash, partSize, staging }) }),
  ],
  'lsfs.v1.UploadPartDone': ({ id, uploadId, partNumber, etag }) =>
    uploadPartsTable.insert({ key: `${id}:${partNumber}`, fileId: id, uploadId, partNumber, etag }).onConflict('key', 'replace'),
  'lsfs.v1.UploadCleared': ({ id, at }, { event }) => [uploadPartsTable.delete().where({ fileId: id }), upsertLocal(id, at, eventRev(event), { upload: null })],
  'lsfs.v1.RemoteDeleteRequested': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { remoteDeletePending: true }),
  'lsfs.v1.RemoteDeleteDone': ({ id, at }, { event }) => upsertLocal(id, at, eventRev(event), { remoteDeletePending: false }),
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
