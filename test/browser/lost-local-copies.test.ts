import { expect } from '@open-wc/testing';
import { FileSync } from '../../src/core/index.js';
import { fileLocalStateTable, fileSyncEvents, filesTable } from '../../src/core/store/schema.js';
import { findLostLocalCopies } from '../../src/core/sync/lost-local-copies.js';
import { devToken, uniqueStoreId } from './helpers.js';

describe('findLostLocalCopies: bytes this device holds although its records say it holds none', () => {
  let sync: FileSync | undefined;
  afterEach(async () => {
    await sync?.close();
    sync = undefined;
  });

  it('finds a saved file whose local-copy note was lost, and not a file another device has not uploaded (fault injected: the note removed, the backend a closed port)', async () => {
    const storeId = uniqueStoreId('lost');
    sync = await FileSync.open({ endpoint: 'http://127.0.0.1:9', storeId, token: await devToken(storeId), localDirectory: `lost-${storeId}` });
    const saved = await sync.saveFile(new File(['bytes kept on this device'], 'kept.txt', { type: 'text/plain' }));
    // Another device's file, not uploaded yet: no bytes here either.
    const elsewhere = crypto.randomUUID();
    sync.store.commit(fileSyncEvents.fileCreated({ id: elsewhere, name: 'elsewhere.bin', type: '', size: 10, hash: 'ab'.repeat(32), createdAt: Date.now() }));
    sync.store.commit(fileSyncEvents.localCopyRemoved({ id: saved.id, at: Date.now() }));
    expect(sync.file(saved.id)?.local, 'the note is gone').to.equal(false);

    const records = sync.store.query(filesTable.where({}));
    const locals = new Map(sync.store.query(fileLocalStateTable.where({})).map((row) => [row.id, row]));
    const found = await findLostLocalCopies(records, locals, sync.local);
    expect(found.map((record) => record.id)).to.deep.equal([saved.id]);

    // With its note back, it is not lost any more.
    sync.store.commit(fileSyncEvents.localCopyStored({ id: saved.id, hash: saved.hash, at: Date.now() }));
    const localsAfter = new Map(sync.store.query(fileLocalStateTable.where({})).map((row) => [row.id, row]));
    expect(await findLostLocalCopies(records, localsAfter, sync.local)).to.deep.equal([]);
  });
});
