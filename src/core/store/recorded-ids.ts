/**
 * The ids of every file the store holds a record of, deleted ones too, in one query: the record journal
 * asks this of hundreds of saves at once, and a query per id (each decoded through Effect Schema) made one
 * long task of them (bench/README.md, "many files"). As one row, as `revsSql` in views/row-mirror.ts is.
 */
import { queryDb, Schema } from '@livestore/livestore';
import { filesTable } from './schema.js';
import type { FileSyncStore } from './store.js';

const recordedIds$ = queryDb(
  {
    query: `SELECT group_concat(id, char(30)) AS ids FROM ${filesTable.sqliteDef.name}`,
    schema: Schema.Any as Schema.Schema<readonly { readonly ids: string | null }[]>,
    queriedTables: new Set([filesTable.sqliteDef.name]),
  },
  { label: 'lsfs-recorded-ids' },
);

export function recordedIds(store: FileSyncStore): ReadonlySet<string> {
  const [row] = store.query(recordedIds$);
  return new Set(row?.ids ? row.ids.split('\x1e') : []);
}
