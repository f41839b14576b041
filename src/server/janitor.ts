/**
 * What the worker cleans up, from a Durable Object alarm (one object per store), never on a request path:
 *
 * - Deleted files. Deleting a file marks its bytes pending deletion; they go when the grace period ends.
 *   Until then they are still served, and an upload of the same content or an explicit restore cancels
 *   the deletion: a client that undoes a delete, or that is still offline with an older view, finds its
 *   file intact.
 * - Bytes no record names. The sync backend tells the janitor every content a pushed record names
 *   (`referenced`); bytes stored under a key no record has named are removed after their own grace
 *   period (a week by default) unless a record naming them arrives first. A client normally pushes its
 *   record before it uploads, but an offline client, or a push lost to a crash, can deliver it much later.
 * - Abandoned multipart uploads, aborted when neither completed nor aborted within their lifetime.
 * - Staged bytes no content key points to: an upload's bytes go to a staging key before the content key
 *   points to them (pointer.ts), and a worker ended between the two (a crash, a restart) leaves them there.
 *   Every staging key is known from before its bytes are written, and its bytes go once the upload's
 *   lifetime is over unless a pointer names them by then.
 *
 * It also keeps, for each multipart upload in progress, the block digests of its parts as they were
 * streamed in (see multipart.ts), and forgets them when the upload ends; and, being the store's one object
 * of the kit's own, the store's token revocations (see access.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import { limitsOf, type LimitsEnv } from './limits.js';

/** The grace periods and the upload lifetime are configured as limits.ts says. */
export interface JanitorEnv extends LimitsEnv {
  readonly FILES: R2Bucket;
  readonly FILE_JANITOR: DurableObjectNamespace<FileJanitorDO>;
}

/** A part of a multipart upload as it was streamed in: its length and its blocks' digests (see core/storage/hash.ts). */
export interface StoredPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly blocks: Uint8Array<ArrayBuffer>;
}

/** How long a completion holds its turn: longer than the slowest check of a file's bytes (reading it all back). */
const COMPLETION_LEASE_MS = 5 * 60 * 1000;

/** Why a store has no room for an upload (see `FileJanitorDO.refusal`). */
export interface QuotaRefusal {
  readonly code: 'quota_exceeded' | 'too_many_uploads';
  readonly message: string;
}

/** Work done per alarm run, per kind, so one run stays short; the next alarm continues. */
const BATCH = 500;

export class FileJanitorDO extends DurableObject<JanitorEnv> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: JanitorEnv) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.#sql.exec('CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, delete_at INTEGER NOT NULL)');
      this.#sql.exec('CREATE TABLE IF NOT EXISTS referenced (key TEXT PRIMARY KEY)');
      this.#sql.exec('CREATE TABLE IF NOT EXISTS unreferenced (key TEXT PRIMARY KEY, delete_at INTEGER NOT NULL)');
      // Content keys that are pointers (see pointer.ts), with the staged key of their bytes.
      this.#sql.exec('CREATE TABLE IF NOT EXISTS pointers (key TEXT PRIMARY KEY, target TEXT NOT NULL)');
      this.#sql.exec('CREATE INDEX IF NOT EXISTS pointers_by_target ON pointers (target)');
      // Staging keys of uploads (single and multipart), from before their bytes are written until a pointer names them.
      this.#sql.exec('CREATE TABLE IF NOT EXISTS staged (key TEXT PRIMARY KEY, delete_at INTEGER NOT NULL)');
      this.#sql.exec('CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, key TEXT NOT NULL, abort_at INTEGER NOT NULL)');
      // The size its client declared, which its parts may not exceed (null for uploads begun before it was kept).
      const columns = this.#sql.exec<{ name: string }>('PRAGMA table_info(uploads)').toArray();
      if (!columns.some((column) => column.name === 'declared_size')) this.#sql.exec('ALTER TABLE uploads ADD COLUMN declared_size INTEGER');
      // When a request began completing the upload (see `beginCompletion`), null while none is.
      if (!columns.some((column) => column.name === 'completing_at')) this.#sql.exec('ALTER TABLE uploads ADD COLUMN completing_at INTEGER');
      // Every content key ever stored, never forgotten: a device's record that its bytes were uploaded stays
      // true of the past after the bytes are collected (see sync.ts, which refuses records of bytes never held).
      this.#sql.exec('CREATE TABLE IF NOT EXISTS ever_stored (key TEXT PRIMARY KEY)');
      // The size of the bytes each content key serves, for the store's quota (keys stored before it was kept are not counted).
      this.#sql.exec('CREATE TABLE IF NOT EXISTS sizes (key TEXT PRIMARY KEY, size INTEGER NOT NULL)');
      // Tokens issued up to `through` (ms) are revoked: those of `subject`, or every token when it is ''.
      this.#sql.exec('CREATE TABLE IF NOT EXISTS revocations (subject TEXT PRIMARY KEY, through INTEGER NOT NULL)');
      this.#sql.exec(
        `CREATE TABLE IF NOT EXISTS upload_parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL,
         size INTEGER NOT NULL, blocks BLOB NOT NULL, PRIMARY KEY (upload_id, part_number))`,
      );
    });
  }

  /** Revokes the tokens of `subject` (of everyone when undefined) issued up to `at`; returns the moment revoked through. */
  async revoke(subject: string | undefined, at: number): Promise<number> {
    this.#sql.exec(
      'INSERT INTO revocations (subject, through) VALUES (?, ?) ON CONFLICT(subject) DO UPDATE SET through = MAX(through, excluded.through)',
      subject ?? '',
      at,
    );
    return this.revokedThrough(subject);
  }

  /** Tokens of `subject` issued up to this moment (ms) are revoked; 0 when none are. */
  async revokedThrough(subject: string | undefined): Promise<number> {
    const [row] = this.#sql
      .exec<{ through: number | null }>("SELECT MAX(through) AS through FROM revocations WHERE subject = '' OR subject = ?", subject ?? '')
      .toArray();
    return row?.through ?? 0;
  }

  /** Marks `key` for deletion after the grace period; returns when it will go. */
  async markDeleted(key: string): Promise<number> {
    const deleteAt = Date.now() + limitsOf(this.env).deleteGraceSeconds * 1000;
    this.#sql.exec(
      'INSERT INTO pending (key, delete_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET delete_at = excluded.delete_at',
      key,
      deleteAt,
    );
    await this.#schedule();
    return deleteAt;
  }

  /** Cancels a pending deletion; true when there was one. */
  async restore(key: string): Promise<boolean> {
    const cursor = this.#sql.exec('DELETE FROM pending WHERE key = ?', key);
    await this.#schedule();
    return cursor.rowsWritten > 0;
  }

  /**
   * Bytes were stored under `key` (or under `target`, which `key` now points to): content uploaded again is
   * wanted again (a pending deletion is cancelled), and bytes no record has named yet start waiting for one.
   */
  async stored(key: string, size: number, target?: string): Promise<void> {
    if (target !== undefined) {
      this.#sql.exec('INSERT OR REPLACE INTO pointers (key, target) VALUES (?, ?)', key, target);
      this.#sql.exec('DELETE FROM staged WHERE key = ?', target);
    }
    this.#sql.exec('INSERT OR REPLACE INTO sizes (key, size) VALUES (?, ?)', key, size);
    this.#sql.exec('INSERT INTO ever_stored (key) VALUES (?) ON CONFLICT(key) DO NOTHING', key);
    this.#sql.exec('DELETE FROM pending WHERE key = ?', key);
    const named = this.#sql.exec('SELECT 1 FROM referenced WHERE key = ?', key).toArray().length > 0;
    if (!named) {
      const deleteAt = Date.now() + limitsOf(this.env).unreferencedGraceSeconds * 1000;
      this.#sql.exec(
        'INSERT INTO unreferenced (key, delete_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET delete_at = excluded.delete_at',
        key,
        deleteAt,
      );
    }
    await this.#schedule();
  }

  /** The keys of `keys` never stored since this janitor kept them (contents stored before it are among them). */
  async neverStored(keys: readonly string[]): Promise<string[]> {
    return keys.filter((key) => this.#sql.exec('SELECT 1 FROM ever_stored WHERE key = ?', key).toArray().length === 0);
  }

  /** Records pushed to the store name these keys: their bytes are no longer waiting for a record. */
  async referenced(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.#sql.exec('INSERT INTO referenced (key) VALUES (?) ON CONFLICT(key) DO NOTHING', key);
      this.#sql.exec('DELETE FROM unreferenced WHERE key = ?', key);
    }
    await this.#schedule();
  }

  /**
   * Whether the store has room for `bytes` more (and, for a multipart upload, for one more upload in
   * progress): undefined when it has, else why not. Bytes pending deletion still count: they can be restored.
   */
  async refusal(bytes: number, upload: boolean): Promise<QuotaRefusal | undefined> {
    const { storeMaxBytes, storeMaxUploads } = limitsOf(this.env);
    const [row] = this.#sql
      .exec<{ uploads: number; reserved: number; held: number }>(
        `SELECT (SELECT COUNT(*) FROM uploads) AS uploads, (SELECT COALESCE(SUM(declared_size), 0) FROM uploads) AS reserved,
         (SELECT COALESCE(SUM(size), 0) FROM sizes) AS held`,
      )
      .toArray();
    const { uploads = 0, reserved = 0, held = 0 } = row ?? {};
    if (upload && uploads >= storeMaxUploads) {
      return { code: 'too_many_uploads', message: `The store has ${uploads} uploads in progress, its limit: finish or abort one first` };
    }
    if (storeMaxBytes !== undefined && held + reserved + bytes > storeMaxBytes) {
      return { code: 'quota_exceeded', message: `The store holds ${held + reserved} of its ${storeMaxBytes} bytes: ${bytes} more do not fit` };
    }
    return undefined;
  }

  /**
   * Records a single upload's staging key before its bytes are written there, unless the store has no room
   * for them (see `refusal`): then it says why. Bytes no pointer names by the upload's lifetime go.
   */
  async stagingBegun(stagingKey: string, bytes: number): Promise<QuotaRefusal | undefined> {
    const refused = await this.refusal(bytes, false);
    if (refused !== undefined) return refused;
    this.#stage(stagingKey, Date.now() + limitsOf(this.env).uploadLifetimeSeconds * 1000);
    await this.#schedule();
    return undefined;
  }

  /** Bytes are about to be written at `stagingKey`: they go at `deleteAt` unless a pointer names them by then. */
  #stage(stagingKey: string, deleteAt: number): void {
    this.#sql.exec('INSERT OR REPLACE INTO staged (key, delete_at) VALUES (?, ?)', stagingKey, deleteAt);
  }

  /** Records an upload begun, unless the store has no room for it (see `refusal`): then it says why. */
  async uploadStarted(key: string, uploadId: string, declaredSize: number): Promise<QuotaRefusal | undefined> {
    // Checked and recorded in one call, which the object runs alone: two uploads cannot both take the last room.
    const refused = await this.refusal(declaredSize, true);
    if (refused !== undefined) return refused;
    const abortAt = Date.now() + limitsOf(this.env).uploadLifetimeSeconds * 1000;
    this.#sql.exec('INSERT OR REPLACE INTO uploads (upload_id, key, abort_at, declared_size) VALUES (?, ?, ?, ?)', uploadId, key, abortAt, declaredSize);
    this.#stage(key, abortAt);
    await this.#schedule();
    return undefined;
  }

  /**
   * How many bytes part `partNumber` may have: what the upload declared, less its other parts stored so far;
   * undefined for an upload this janitor does not know or that declared nothing.
   */
  async partRoom(key: string, uploadId: string, partNumber: number): Promise<number | undefined> {
    const [upload] = this.#sql.exec<{ declared_size: number | null }>('SELECT declared_size FROM uploads WHERE upload_id = ? AND key = ?', uploadId, key).toArray();
    if (upload?.declared_size == null) return undefined;
    const [stored] = this.#sql
      .exec<{ total: number }>('SELECT COALESCE(SUM(size), 0) AS total FROM upload_parts WHERE upload_id = ? AND part_number != ?', uploadId, partNumber)
      .toArray();
    return upload.declared_size - (stored?.total ?? 0);
  }

  /**
   * Takes the turn to complete an upload: `busy` while another request is completing it (a client that
   * timed out on a long completion sends it again), `unknown` for an upload this janitor does not know.
   * A turn lapses after `COMPLETION_LEASE_MS`, so a completion cut off by a crash does not hold it for good.
   */
  async beginCompletion(key: string, uploadId: string): Promise<'begun' | 'busy' | 'unknown'> {
    const now = Date.now();
    const [upload] = this.#sql.exec<{ completing_at: number | null }>('SELECT completing_at FROM uploads WHERE upload_id = ? AND key = ?', uploadId, key).toArray();
    if (upload === undefined) return 'unknown';
    if (upload.completing_at !== null && upload.completing_at > now - COMPLETION_LEASE_MS) return 'busy';
    this.#sql.exec('UPDATE uploads SET completing_at = ? WHERE upload_id = ?', now, uploadId);
    return 'begun';
  }

  /** The completion begun could not be made (R2 refused it, say): the client may send it again at once. */
  async completionFailed(key: string, uploadId: string): Promise<void> {
    this.#sql.exec('UPDATE uploads SET completing_at = NULL WHERE upload_id = ? AND key = ?', uploadId, key);
  }

  /** The upload was completed or aborted by its client. */
  async uploadEnded(key: string, uploadId: string): Promise<void> {
    const cursor = this.#sql.exec('DELETE FROM uploads WHERE upload_id = ? AND key = ?', uploadId, key);
    if (cursor.rowsWritten > 0) this.#sql.exec('DELETE FROM upload_parts WHERE upload_id = ?', uploadId);
    await this.#schedule();
  }

  /** Part `partNumber` of an upload in progress was stored as `etag`; a part sent again replaces it. */
  async partStored(key: string, uploadId: string, part: StoredPart): Promise<void> {
    // Only for an upload this janitor knows (one it would abort, and so forget): nothing is kept for good.
    if (!this.#knowsUpload(key, uploadId)) return;
    this.#sql.exec(
      'INSERT OR REPLACE INTO upload_parts (upload_id, part_number, etag, size, blocks) VALUES (?, ?, ?, ?, ?)',
      uploadId,
      part.partNumber,
      part.etag,
      part.size,
      part.blocks,
    );
  }

  /** What `partStored` kept of an upload's parts, by part number. */
  async storedParts(key: string, uploadId: string): Promise<StoredPart[]> {
    if (!this.#knowsUpload(key, uploadId)) return [];
    return this.#sql
      .exec<{ part_number: number; etag: string; size: number; blocks: ArrayBuffer }>(
        'SELECT part_number, etag, size, blocks FROM upload_parts WHERE upload_id = ? ORDER BY part_number',
        uploadId,
      )
      .toArray()
      .map((row) => ({ partNumber: row.part_number, etag: row.etag, size: row.size, blocks: new Uint8Array(row.blocks) }));
  }

  #knowsUpload(key: string, uploadId: string): boolean {
    return this.#sql.exec('SELECT 1 FROM uploads WHERE upload_id = ? AND key = ?', uploadId, key).toArray().length > 0;
  }

  async pendingDeleteAt(key: string): Promise<number | undefined> {
    const row = this.#sql.exec<{ delete_at: number }>('SELECT delete_at FROM pending WHERE key = ?', key).toArray()[0];
    return row?.delete_at;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const dueKeys = (table: 'pending' | 'unreferenced') =>
      this.#sql
        .exec<{ key: string }>(`SELECT key FROM ${table} WHERE delete_at <= ? ORDER BY delete_at LIMIT ?`, now, BATCH)
        .toArray()
        .map((row) => row.key);
    for (const table of ['pending', 'unreferenced'] as const) {
      const due = dueKeys(table);
      if (due.length === 0) continue;
      // A content uploaded to a staging key is a pointer and the staged bytes (see pointer.ts): both go.
      const staged = due.flatMap((key) => this.#sql.exec<{ target: string }>('SELECT target FROM pointers WHERE key = ?', key).toArray().map((row) => row.target));
      await this.env.FILES.delete([...due, ...staged]);
      for (const key of due) {
        this.#sql.exec(`DELETE FROM ${table} WHERE key = ?`, key);
        this.#sql.exec('DELETE FROM pointers WHERE key = ?', key);
        this.#sql.exec('DELETE FROM sizes WHERE key = ?', key);
      }
    }
    // One being completed now waits for its completion to end or lapse.
    const abandoned = this.#sql
      .exec<{ upload_id: string; key: string }>(
        'SELECT upload_id, key FROM uploads WHERE abort_at <= ? AND (completing_at IS NULL OR completing_at <= ?) ORDER BY abort_at LIMIT ?',
        now,
        now - COMPLETION_LEASE_MS,
        BATCH,
      )
      .toArray();
    for (const { upload_id: uploadId, key } of abandoned) {
      // Already completed or aborted elsewhere is as good as aborted here.
      await this.env.FILES.resumeMultipartUpload(key, uploadId).abort().catch(() => {});
      this.#sql.exec('DELETE FROM uploads WHERE upload_id = ?', uploadId);
      this.#sql.exec('DELETE FROM upload_parts WHERE upload_id = ?', uploadId);
    }
    await this.#sweepStaged(now);
    await this.#schedule();
  }

  /** Staged bytes past their upload's lifetime that no pointer names are no file's: they go. */
  async #sweepStaged(now: number): Promise<void> {
    const due = this.#sql.exec<{ key: string }>('SELECT key FROM staged WHERE delete_at <= ? ORDER BY delete_at LIMIT ?', now, BATCH).toArray();
    const unnamed: string[] = [];
    const settled: string[] = [];
    for (const { key } of due) {
      const [completing] = this.#sql
        .exec<{ at: number }>('SELECT completing_at AS at FROM uploads WHERE key = ? AND completing_at > ?', key, now - COMPLETION_LEASE_MS)
        .toArray();
      if (completing !== undefined) {
        // Its completion, begun just in time, may point to them yet.
        this.#sql.exec('UPDATE staged SET delete_at = ? WHERE key = ?', completing.at + COMPLETION_LEASE_MS, key);
        continue;
      }
      if (this.#sql.exec('SELECT 1 FROM pointers WHERE target = ? LIMIT 1', key).toArray().length === 0) unnamed.push(key);
      settled.push(key);
    }
    // Forgotten once gone: a failed delete is tried again at the next alarm.
    if (unnamed.length > 0) await this.env.FILES.delete(unnamed);
    for (const key of settled) this.#sql.exec('DELETE FROM staged WHERE key = ?', key);
  }

  async #schedule(): Promise<void> {
    const next = this.#sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(delete_at) AS at FROM pending UNION ALL SELECT MIN(delete_at) FROM unreferenced
         UNION ALL SELECT MIN(MAX(abort_at, COALESCE(completing_at, 0) + ${COMPLETION_LEASE_MS})) FROM uploads
         UNION ALL SELECT MIN(delete_at) FROM staged)`,
      )
      .toArray()[0]?.at;
    if (next === null || next === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

export const janitorFor = (env: Pick<JanitorEnv, 'FILE_JANITOR'>, storeId: string) => env.FILE_JANITOR.get(env.FILE_JANITOR.idFromName(storeId));

/** The store's janitor where the deployment binds one (one that only syncs may not); else undefined. */
export const janitorOf = (env: Partial<Pick<JanitorEnv, 'FILE_JANITOR'>>, storeId: string) =>
  env.FILE_JANITOR === undefined ? undefined : janitorFor({ FILE_JANITOR: env.FILE_JANITOR }, storeId);
