/**
 * The store's file records and this device's local rows, kept in step with every commit: what the views
 * and the transfer plan are made from.
 */
import { queryDb, Schema } from '@livestore/livestore';
import type { FileSyncStore } from '../store/store.js';
import { fileLocalStateTable, filesTable, fileVersionsTable, type FileLocalStateRow, type FileRow } from '../store/schema.js';
import { parseRevs, revsSql, RowMirror, type RevsRow } from './row-mirror.js';

// What the store watches: each record's id and `rev` (deleted records too, which reconciliation needs), and
// each local row's. A commit re-runs these over every row, and only the rows whose `rev` moved are read whole
// (row-mirror.ts). In the order rows were made (else SQLite may read the id index, in the ids' order): records
// of the same millisecond keep it. In SQL with a pass-through schema: LiveStore decodes every row of a query
// through Effect Schema on each re-run, and these need no decoding. As one row (see `revsSql`).
const revsOf = (table: string, ...alsoWatched: string[]) =>
  queryDb(
    {
      query: revsSql(table),
      schema: Schema.Any as Schema.Schema<readonly RevsRow[]>,
      queriedTables: new Set([table, ...alsoWatched]),
    },
    { label: `lsfs-revs-${table}` },
  );
const fileRevs$ = revsOf(filesTable.sqliteDef.name, fileVersionsTable.sqliteDef.name);
const localRevs$ = revsOf(fileLocalStateTable.sqliteDef.name);

const newestFirst = (a: FileRow, b: FileRow) => b.createdAt - a.createdAt;

/** A local row as SQLite stores it: booleans are 0 or 1. */
type StoredLocalRow = Omit<FileLocalStateRow, 'remoteDeletePending' | 'evicted'> & { readonly remoteDeletePending: number; readonly evicted: number };

/**
 * Called once after a burst of commits, in a task of its own; `rowsChanged` is false when the commits changed
 * no row the views show (a version's upload confirmed, say), which may still change what the leader owes.
 */
export type RowsListener = (rowsChanged: boolean) => void;

export class StoreRows {
  /** Every record, deleted ones too, newest first. */
  #allRecords: readonly FileRow[] = [];
  /** The live records, newest first. */
  #records: readonly FileRow[] = [];
  #locals = new Map<string, FileLocalStateRow>();
  readonly #recordRows = new RowMirror<FileRow>((ids) => this.#read(filesTable.sqliteDef.name, ids));
  readonly #localRows = new RowMirror<FileLocalStateRow>((ids) =>
    this.#read<StoredLocalRow>(fileLocalStateTable.sqliteDef.name, ids).map((row) => ({
      ...row,
      remoteDeletePending: row.remoteDeletePending === 1,
      evicted: row.evicted === 1,
    })),
  );
  readonly #unsubscribe: (() => void)[];
  #closed = false;

  constructor(
    private readonly store: FileSyncStore,
    listener: RowsListener,
  ) {
    // One commit wakes both subscriptions, and commits come in bursts (a drop of 100 files, a queue finishing
    // uploads): the listener runs once after the burst, not once per subscription and commit. In a task of
    // its own: the commit has just re-run the store's queries, and the views it wakes are rendered after
    // them; one task for all of it was the longest the page had while syncing 1,000 files.
    let scheduled = false;
    let rowsChanged = false;
    const refresh = (changed: boolean) => {
      rowsChanged ||= changed;
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        if (this.#closed) return;
        const changedNow = rowsChanged;
        rowsChanged = false;
        listener(changedNow);
      }, 0);
    };
    this.#unsubscribe = [
      // A commit that changes no record may still change what the leader owes: a version's upload confirmed
      // (file_versions) is written with its record, whose update applies only if the version is current.
      store.subscribe(fileRevs$, (revs) => {
        const rows = this.#recordRows.update(parseRevs(revs));
        if (rows !== undefined) {
          // A stable sort: records of the same millisecond stay in the order they were made.
          this.#allRecords = [...rows].sort(newestFirst);
          this.#records = this.#allRecords.filter((row) => row.deletedAt === null);
        }
        refresh(rows !== undefined);
      }),
      store.subscribe(localRevs$, (revs) => {
        const rows = this.#localRows.update(parseRevs(revs));
        if (rows !== undefined) this.#locals = new Map(rows.map((row) => [row.id, row]));
        refresh(rows !== undefined);
      }),
    ];
  }

  /** Every record, deleted ones too, newest first. */
  get allRecords(): readonly FileRow[] {
    return this.#allRecords;
  }

  /** The live records, newest first. */
  get records(): readonly FileRow[] {
    return this.#records;
  }

  /** This device's row of each file it has one for, by id. */
  get locals(): ReadonlyMap<string, FileLocalStateRow> {
    return this.#locals;
  }

  close(): void {
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** Rows of `table` whole, those of `ids` or all; read within the commit that changed them (no decoding, see `revsOf`). */
  #read<Row>(table: string, ids: readonly string[] | undefined): readonly Row[] {
    const query = ids === undefined ? `SELECT * FROM ${table}` : `SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`;
    return this.store.query({ query, bindValues: ids === undefined ? [] : [JSON.stringify(ids)] }) as readonly Row[];
  }
}
