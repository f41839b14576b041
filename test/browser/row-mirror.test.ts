import { expect } from '@open-wc/testing';
import { RowMirror, type RowRev } from '../../src/core/views/row-mirror.js';

interface Row extends RowRev {
  readonly name: string;
}

/** A table in memory, and the reads the mirror makes of it. */
function table(rows: Row[]) {
  const reads: (readonly string[] | undefined)[] = [];
  const read = (ids: readonly string[] | undefined) => {
    reads.push(ids);
    // Fresh objects on every read, as SQLite gives them.
    return rows.filter((row) => ids === undefined || ids.includes(row.id)).map((row) => ({ ...row }));
  };
  const revs = () => rows.map(({ id, rev }) => ({ id, rev }));
  return { rows, reads, read, revs };
}

const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `f${i}`, rev: 1, name: `file ${i}` }));

describe('RowMirror: a copy of a table that reads only the rows whose rev moved', () => {
  it('reads a changed row alone, and hands back the same objects for the rows that did not change', () => {
    const t = table(many(20));
    const mirror = new RowMirror<Row>(t.read);
    const first = mirror.update(t.revs())!;
    t.rows[3] = { id: 'f3', rev: 2, name: 'renamed' };
    const second = mirror.update(t.revs())!;

    expect(t.reads.at(-1)).to.deep.equal(['f3']);
    expect(second[3]!.name).to.equal('renamed');
    expect(second.filter((row, i) => row !== first[i]).map((row) => row.id)).to.deep.equal(['f3']);
  });

  it('says nothing changed when no rev moved, and reads nothing', () => {
    const t = table(many(5));
    const mirror = new RowMirror<Row>(t.read);
    mirror.update(t.revs());
    const reads = t.reads.length;
    expect(mirror.update(t.revs())).to.equal(undefined);
    expect(t.reads.length).to.equal(reads);
  });

  it('drops a row that went (a rollback took back the event that made it), even when nothing else changed', () => {
    const t = table(many(5));
    const mirror = new RowMirror<Row>(t.read);
    mirror.update(t.revs());
    t.rows.splice(2, 1);
    expect(mirror.update(t.revs())!.map((row) => row.id)).to.deep.equal(['f0', 'f1', 'f3', 'f4']);
  });

  it('reads the whole table when most rows changed, and still keeps the objects of those that did not', () => {
    const t = table(many(8));
    const mirror = new RowMirror<Row>(t.read);
    const first = mirror.update(t.revs())!;
    for (let i = 0; i < 6; i++) t.rows[i] = { ...t.rows[i]!, rev: 2 };
    const second = mirror.update(t.revs())!;
    expect(t.reads.at(-1)).to.equal(undefined);
    expect(second[7]).to.equal(first[7]);
    expect(second[0]).not.to.equal(first[0]);
  });
});
