/**
 * Delayed deletion. Deleting a file marks its bytes pending deletion; a Durable Object (one per store)
 * removes them when the grace period ends, from an alarm, never on a request path. Until then the bytes
 * are still served, and an upload of the same content or an explicit restore cancels the deletion:
 * a client that undoes a delete, or that is still offline with an older view, finds its file intact.
 */
import { DurableObject } from 'cloudflare:workers';

export interface JanitorEnv {
  readonly FILES: R2Bucket;
  readonly FILE_JANITOR: DurableObjectNamespace<FileJanitorDO>;
  /** Seconds between a delete and the removal of the bytes (default one day). */
  readonly DELETE_GRACE_SECONDS?: string;
}

const DEFAULT_GRACE_SECONDS = 24 * 3600;
/** Objects removed per alarm run, so one run stays short; the next alarm continues. */
const BATCH = 500;

export class FileJanitorDO extends DurableObject<JanitorEnv> {
  constructor(ctx: DurableObjectState, env: JanitorEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, delete_at INTEGER NOT NULL)');
    });
  }

  /** Marks `key` for deletion after the grace period; returns when it will go. */
  async markDeleted(key: string): Promise<number> {
    const grace = Number(this.env.DELETE_GRACE_SECONDS ?? DEFAULT_GRACE_SECONDS);
    const deleteAt = Date.now() + grace * 1000;
    this.ctx.storage.sql.exec(
      'INSERT INTO pending (key, delete_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET delete_at = excluded.delete_at',
      key,
      deleteAt,
    );
    await this.#schedule();
    return deleteAt;
  }

  /** Cancels a pending deletion; true when there was one. */
  async restore(key: string): Promise<boolean> {
    const cursor = this.ctx.storage.sql.exec('DELETE FROM pending WHERE key = ?', key);
    await this.#schedule();
    return cursor.rowsWritten > 0;
  }

  async pendingDeleteAt(key: string): Promise<number | undefined> {
    const row = this.ctx.storage.sql.exec<{ delete_at: number }>('SELECT delete_at FROM pending WHERE key = ?', key).toArray()[0];
    return row?.delete_at;
  }

  override async alarm(): Promise<void> {
    const due = this.ctx.storage.sql
      .exec<{ key: string }>('SELECT key FROM pending WHERE delete_at <= ? ORDER BY delete_at LIMIT ?', Date.now(), BATCH)
      .toArray()
      .map((row) => row.key);
    if (due.length > 0) {
      await this.env.FILES.delete(due);
      for (const key of due) this.ctx.storage.sql.exec('DELETE FROM pending WHERE key = ?', key);
    }
    await this.#schedule();
  }

  async #schedule(): Promise<void> {
    const next = this.ctx.storage.sql.exec<{ at: number | null }>('SELECT MIN(delete_at) AS at FROM pending').toArray()[0]?.at;
    if (next === null || next === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

export const janitorFor = (env: JanitorEnv, storeId: string) => env.FILE_JANITOR.get(env.FILE_JANITOR.idFromName(storeId));
