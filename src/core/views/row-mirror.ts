/**
 * A copy of a table's rows that follows the store by reading whole only the rows that changed.
 *
 * Each query a LiveStore store watches runs again on every commit that writes its table, over every row: with
 * 1,000 files, reading them all (13 columns, a JavaScript object each) took 7 ms of a commit in the page
 * and left the objects to collect, where reading each row's id and `rev` (a digest of the events that changed
 * it, see schema.ts `revStep`) took 1 ms. So the store watches the ids and revs, and the rows whose `rev` moved
 * (or that are new) are read whole; the rest keep the objects read before, which also lets the views built
 * from them be kept as they are.
 */

/** What the watched query returns for each row. */
export interface RowRev {
  readonly id: string;
  readonly rev: number;
}

/**
 * The SQL of a table's ids and revs as one row: `id` and `rev` joined by a unit separator, rows by a record
 * separator (neither can be in a file id or a rev), in the order the rows were made. A query's rows each cost
 * several calls into SQLite's WebAssembly and an object for LiveStore to hand out: over 1,000 rows, re-run on
 * every commit, they were the largest share of what the page allocated while syncing (a sixth, in a sampled
 * allocation profile of the many-files bench case).
 */
export const revsSql = (table: string) => `SELECT group_concat(id || char(31) || rev, char(30) ORDER BY rowid) AS revs FROM ${table}`;

/** What `revsSql` returns: one row, whose `revs` is null when the table is empty. */
export type RevsRow = { readonly revs: string | null };

/** The rows' ids and revs out of what `revsSql` returned. */
export function parseRevs([row]: readonly RevsRow[]): RowRev[] {
  if (!row?.revs) return [];
  return row.revs.split('\x1e').map((pair) => {
    const at = pair.indexOf('\x1f');
    return { id: pair.slice(0, at), rev: Number(pair.slice(at + 1)) };
  });
}

/** Reads whole the rows of `ids`, or every row when `ids` is undefined. */
export type ReadRows<Row> = (ids: readonly string[] | undefined) => readonly Row[];

/** Beyond this share of changed rows, one read of the whole table costs less than picking rows out of it. */
const READ_ALL_SHARE = 0.25;

export class RowMirror<Row extends RowRev> {
  #rows = new Map<string, Row>();

  constructor(private readonly read: ReadRows<Row>) {}

  /**
   * Brings the copy in step with `revs` (every row's id and rev, as the store holds them now). Returns the
   * rows in the order of `revs`, or undefined when none changed, none came and none went.
   */
  update(revs: readonly RowRev[]): readonly Row[] | undefined {
    const stale: string[] = [];
    for (const { id, rev } of revs) if (this.#rows.get(id)?.rev !== rev) stale.push(id);
    const unseen = stale.reduce((n, id) => (this.#rows.has(id) ? n : n + 1), 0);
    // Rows only go when a rollback takes back the event that made them: the copy then has more than is kept.
    const gone = this.#rows.size + unseen > revs.length;
    if (stale.length === 0 && !gone) return undefined;
    const readAll = stale.length > revs.length * READ_ALL_SHARE;
    const next = readAll ? new Map<string, Row>() : this.#rows;
    for (const row of this.read(readAll ? undefined : stale)) {
      const kept = this.#rows.get(row.id);
      next.set(row.id, kept?.rev === row.rev ? kept : row);
    }
    const rows: Row[] = [];
    for (const { id } of revs) {
      const row = next.get(id);
      if (row !== undefined) rows.push(row);
    }
    this.#rows = gone || readAll ? new Map(rows.map((row) => [row.id, row])) : next;
    return rows;
  }
}
