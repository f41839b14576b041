import { expect } from '@open-wc/testing';
import type { FileSync } from '../../src/core/index.js';
import { RecordJournal, type JournalEntry } from '../../src/core/sync/record-journal.js';
import { fetchRemote, contentHashOf, openOtherDevice, pagesWriteFiles, randomBytes, uniqueStoreId, waitForFiles } from './helpers.js';

/**
 * A save whose bytes reached OPFS and whose record reached the journal, but whose commit never reached
 * LiveStore (a page closed at that moment, a tab whose LiveStore session stopped): written here the way
 * `saveFiles` writes them, without the commit, which is the fault this test injects on purpose.
 */
async function uncommittedSave(sync: FileSync, journal: RecordJournal, name: string, seed: number, { bytesKept = true } = {}): Promise<JournalEntry> {
  const id = crypto.randomUUID();
  const blob = new Blob([randomBytes(4_000 + seed, seed)]);
  const { hash, size } = bytesKept ? await sync.local.writeBlob(id, blob) : { hash: await contentHashOf(blob), size: blob.size };
  const entry = { id, name, type: 'application/octet-stream', size, hash, createdAt: Date.now() };
  await journal.add([entry]);
  return entry;
}

/** The ids of each batch the journal holds on disk, in no order. */
async function journaledBatches(root: string, storeId: string): Promise<string[][]> {
  const kit = await (await navigator.storage.getDirectory()).getDirectoryHandle(root);
  const dir = await (await kit.getDirectoryHandle('.journal')).getDirectoryHandle(storeId);
  const batches: string[][] = [];
  for await (const [, handle] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
    if (handle.kind === 'file') batches.push((JSON.parse(await (await (handle as FileSystemFileHandle).getFile()).text()) as JournalEntry[]).map((entry) => entry.id));
  }
  return batches;
}

describe('RecordJournal: a save whose commit never reached LiveStore is committed again', () => {
  const opened: FileSync[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((sync) => sync.close()));
  });

  it('commits a journaled record the store lacks once, when its batch is old enough and its bytes are here, and the file then syncs', async function () {
    // Where files are kept in memory, nothing is journaled: nothing of them outlives the tab.
    if (!pagesWriteFiles) this.skip();
    const storeId = uniqueStoreId('journal');
    const sync = await openOtherDevice(storeId, 'journal');
    opened.push(sync);
    const journal = new RecordJournal(sync.local.root, storeId);
    const kept = await uncommittedSave(sync, journal, 'kept.bin', 3);
    const gone = await uncommittedSave(sync, journal, 'bytes-gone.bin', 4, { bytesKept: false });

    // A batch younger than the bound may still be on its way from its tab: left alone.
    expect(await journal.restore(sync.store, sync.local, { journaledBefore: Date.now() - 30_000 })).to.deep.equal([]);
    expect(sync.file(kept.id)).to.equal(undefined);

    expect(await journal.restore(sync.store, sync.local, { journaledBefore: Date.now() + 1 })).to.deep.equal([kept.id]);
    expect(sync.file(kept.id)).to.include({ name: 'kept.bin', hash: kept.hash, size: kept.size });
    // No device holds the bytes of the other: a record of it would name a file nobody can fetch.
    expect(sync.file(gone.id)).to.equal(undefined);
    // Held now: not committed twice.
    expect(await journal.restore(sync.store, sync.local)).to.deep.equal([]);

    const [synced] = await waitForFiles(sync, (files) => files.some((f) => f.id === kept.id && f.state.kind === 'synced'));
    const remote = await fetchRemote(storeId, synced!.remoteKey!);
    expect(await contentHashOf(await remote.blob())).to.equal(kept.hash);
  });

  it('drops a batch once the store holds every file of it, and keeps one whose file the store lacks', async function () {
    if (!pagesWriteFiles) this.skip();
    const storeId = uniqueStoreId('journal');
    const sync = await openOtherDevice(storeId, 'journal');
    opened.push(sync);
    const journal = new RecordJournal(sync.local.root, storeId);
    const recorded = await uncommittedSave(sync, journal, 'recorded.bin', 5);
    const lacking = await uncommittedSave(sync, journal, 'lacking.bin', 6, { bytesKept: false });
    expect(await journal.restore(sync.store, sync.local)).to.deep.equal([recorded.id]);

    // Batches journaled after the confirmation may not be committed yet: kept.
    await journal.prune(sync.store, 0);
    expect(await journaledBatches(sync.local.root, storeId)).to.have.deep.members([[recorded.id], [lacking.id]]);
    await journal.prune(sync.store, Date.now() + 1);
    expect(await journaledBatches(sync.local.root, storeId)).to.deep.equal([[lacking.id]]);
  });
});
