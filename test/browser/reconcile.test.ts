import { expect } from '@open-wc/testing';
import { pickEvictions, planWork, type VersionIndex } from '../../src/core/transfers/reconcile.js';
import type { FileLocalStateRow, FileRow } from '../../src/core/store/schema.js';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

const record = (over: Partial<FileRow> = {}): FileRow => ({
  id: 'f',
  name: 'a.png',
  type: 'image/png',
  size: 10,
  hash: H1,
  remoteKey: null,
  width: null,
  height: null,
  preview: null,
  createdAt: 1,
  updatedAt: 1,
  deletedAt: null,
  rev: 0,
  ...over,
});
const local = (over: Partial<FileLocalStateRow> = {}): Map<string, FileLocalStateRow> =>
  new Map([['f', { id: 'f', localHash: null, failure: null, upload: null, remoteDeletePending: false, usedAt: 0, evicted: false, updatedAt: 1, rev: 0, ...over }]]);
const versions = (entries: Record<string, string | null>): VersionIndex =>
  new Map(Object.entries(entries).map(([hash, remoteKey]) => [`f:${hash}`, { remoteKey, size: 10, type: 'image/png' }]));

describe('planWork: what a device owes, from the records and its local rows', () => {
  it('uploads bytes held here that are not uploaded, and downloads nothing over them (example pitfall 1)', () => {
    expect(planWork([record()], local({ localHash: H1 }), versions({ [H1]: null }))).to.deep.equal([
      { kind: 'upload', id: 'f', hash: H1, size: 10, type: 'image/png' },
    ]);
  });

  it('uploads an edit that lost to another device as a version of its own before replacing it', () => {
    // The record now names H2 (another device wrote last); this device holds H1, never uploaded.
    const plan = planWork([record({ hash: H2, remoteKey: `f/${H2}` })], local({ localHash: H1 }), versions({ [H1]: null, [H2]: `f/${H2}` }));
    expect(plan).to.deep.equal([{ kind: 'upload', id: 'f', hash: H1, size: 10, type: 'image/png' }]);
  });

  it('replaces bytes held here with a newer version only once they are safe remotely', () => {
    const plan = planWork([record({ hash: H2, remoteKey: `f/${H2}` })], local({ localHash: H1 }), versions({ [H1]: `f/${H1}`, [H2]: `f/${H2}` }));
    expect(plan).to.deep.equal([{ kind: 'download', id: 'f', hash: H2, size: 10, remoteKey: `f/${H2}` }]);
  });

  it('waits for a newer version that is not uploaded yet, keeping what is here', () => {
    expect(planWork([record({ hash: H2 })], local({ localHash: H1 }), versions({ [H1]: `f/${H1}`, [H2]: null }))).to.deep.equal([]);
  });

  it('downloads an uploaded file this device has no bytes of, and nothing that is not uploaded yet', () => {
    expect(planWork([record({ remoteKey: `f/${H1}` })], new Map())).to.deep.equal([
      { kind: 'download', id: 'f', hash: H1, size: 10, remoteKey: `f/${H1}` },
    ]);
    expect(planWork([record()], new Map())).to.deep.equal([]);
  });

  it('leaves a file with a permanent failure alone until it is retried', () => {
    expect(planWork([record()], local({ localHash: H1, failure: '{"code":"too_large"}' }))).to.deep.equal([]);
  });

  it('removes a deleted file here, and remotely only from the device that deleted it', () => {
    const deleted = record({ deletedAt: 5, remoteKey: `f/${H1}` });
    expect(planWork([deleted], local({ localHash: H1 }))).to.deep.equal([{ kind: 'remove-local', id: 'f' }]);
    expect(planWork([deleted], local({ localHash: H1, remoteDeletePending: true }))).to.deep.equal([
      { kind: 'remove-local', id: 'f' },
      { kind: 'delete-remote', id: 'f', remoteKey: `f/${H1}` },
    ]);
    expect(planWork([deleted], local())).to.deep.equal([]);
  });

  it('does not fetch an evicted copy in the background', () => {
    expect(planWork([record({ remoteKey: `f/${H1}` })], local({ evicted: true }))).to.deep.equal([]);
  });
});

describe('pickEvictions: what leaves this device to keep within the cache budget', () => {
  // Five files of 10 bytes: a-c synced and held here (used at 30, 10, 20), d held but not uploaded, e not held.
  const files = [
    record({ id: 'a', remoteKey: `a/${H1}` }),
    record({ id: 'b', remoteKey: `b/${H1}` }),
    record({ id: 'c', remoteKey: `c/${H1}` }),
    record({ id: 'd' }),
    record({ id: 'e', remoteKey: `e/${H1}` }),
  ];
  const row = (id: string, over: Partial<FileLocalStateRow> = {}): [string, FileLocalStateRow] => [
    id,
    { id, localHash: H1, failure: null, upload: null, remoteDeletePending: false, usedAt: 0, evicted: false, updatedAt: 1, rev: 0, ...over },
  ];
  const locals = new Map([row('a', { usedAt: 30 }), row('b', { usedAt: 10 }), row('c', { usedAt: 20 }), row('d', { usedAt: 1 }), row('e', { localHash: null })]);

  it('removes the least recently used synced copies until the rest fits', () => {
    expect(pickEvictions(files, locals, 40)).to.deep.equal([]);
    expect(pickEvictions(files, locals, 25)).to.deep.equal(['b', 'c']);
  });

  it('never removes bytes that are not uploaded yet, nor files in transfer, even over budget', () => {
    expect(pickEvictions(files, locals, 0)).to.deep.equal(['b', 'c', 'a']);
    expect(pickEvictions(files, locals, 0, (id) => id === 'b')).to.deep.equal(['c', 'a']);
  });

  it('keeps bytes that lost a concurrent edit (they are not the remote content)', () => {
    const replaced = [record({ id: 'a', hash: H2, remoteKey: `a/${H2}` })];
    expect(pickEvictions(replaced, new Map([row('a')]), 0)).to.deep.equal([]);
  });
});
