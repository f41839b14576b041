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
});
