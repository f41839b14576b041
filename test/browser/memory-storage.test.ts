import { expect } from '@open-wc/testing';
import { contentHashOf, fetchRemote, openOtherDevice, openSync, randomBytes, uniqueStoreId, useSyncs, waitForFiles, waitForSummary } from './helpers.js';

/** Whether the kit's OPFS directory `root` holds anything of `storeId`. */
async function opfsHolds(root: string, storeId: string): Promise<boolean> {
  try {
    const kit = await (await navigator.storage.getDirectory()).getDirectoryHandle(root);
    const store = await kit.getDirectoryHandle(storeId);
    for await (const _ of (store as unknown as AsyncIterable<unknown>)) return true;
    return false;
  } catch {
    return false;
  }
}

describe('FileSync with files kept in memory (storage: memory, as in a private window)', () => {
  const track = useSyncs();

  it('saves a file in memory, shows it at once, uploads it, and another device gets its bytes; nothing is written to OPFS', async () => {
    const storeId = uniqueStoreId('mem');
    const root = `mem-${crypto.randomUUID().slice(0, 6)}`;
    const a = track(await openSync(storeId, { storage: 'memory', localDirectory: root }));
    expect(a.storage).to.equal('memory');
    const b = track(await openOtherDevice(storeId));

    const bytes = randomBytes(2_000_000, 21);
    const saved = await a.saveFile(new File([bytes], 'memo.bin', { type: 'application/octet-stream' }));
    expect(saved.local).to.equal(true);
    expect(await contentHashOf((await a.getFile(saved.id))!)).to.equal(saved.hash);

    const [synced] = await waitForFiles(a, (files) => files[0]?.state.kind === 'synced');
    expect(await contentHashOf(await (await fetchRemote(storeId, synced!.remoteKey!)).blob())).to.equal(saved.hash);
    await waitForSummary(a, (s) => s.status === 'synced');
    await waitForFiles(b, (files) => files.some((f) => f.id === saved.id && f.state.kind === 'synced'));
    expect(await contentHashOf((await b.getFile(saved.id))!)).to.equal(saved.hash);
    expect(await opfsHolds(root, storeId), 'the kit wrote bytes to OPFS').to.equal(false);
  });

  it('downloads what another device saved into memory, verified, and two tabs in memory are two devices', async () => {
    const storeId = uniqueStoreId('mem');
    const root = `mem-${crypto.randomUUID().slice(0, 6)}`;
    const b = track(await openOtherDevice(storeId));
    const a = track(await openSync(storeId, { storage: 'memory', localDirectory: root }));
    const other = track(await openSync(storeId, { storage: 'memory', localDirectory: root }));
    // Several reads of the body (1 MiB each), so the bytes kept are those of every read.
    const saved = await b.saveFile(new File([randomBytes(2_600_000, 22)], 'from-b.bin'));
    const mine = await other.saveFile(new File([randomBytes(1000, 23)], 'from-the-other-tab.bin'));

    for (const sync of [a, other]) {
      await waitForFiles(sync, (files) => [saved.id, mine.id].every((id) => files.some((f) => f.id === id && f.state.kind === 'synced')));
    }
    expect(await contentHashOf((await a.getFile(saved.id))!)).to.equal(saved.hash);
    // The other tab's file reached this one through the backend, bytes and all.
    expect(await contentHashOf((await a.getFile(mine.id))!)).to.equal(mine.hash);
    expect(a.isLeader.get() && other.isLeader.get(), 'each tab in memory runs its own transfers').to.equal(true);
    expect(await opfsHolds(root, storeId)).to.equal(false);
  });
});
