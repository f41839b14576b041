import { expect } from '@open-wc/testing';
import { FileSync, type FileView } from '../../src/core/index.js';
import { devToken, holdSaves, pagesWriteFiles, fetchRemote, remoteStatus, openOtherDevice, openSync, randomBytes, contentHashOf, uniqueStoreId, waitForFiles, waitForSummary, waitForValue } from './helpers.js';

describe('FileSync against the local backend', () => {
  const opened: FileSync[] = [];
  const track = (sync: FileSync) => (opened.push(sync), sync);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((sync) => sync.close()));
  });

  it('keeps a saved file on the device at once, uploads it, and the stored object has the same bytes', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    const bytes = randomBytes(300_000, 7);
    const saved = await a.saveFile(new File([bytes], 'photo.jpg', { type: 'image/jpeg' }));
    expect(saved.local).to.equal(true);
    expect(saved.name).to.equal('photo.jpg');
    expect(saved.hash).to.equal(await contentHashOf(new Blob([bytes])));
    const local = await a.getFile(saved.id);
    expect(local?.size).to.equal(bytes.length);
    expect(await contentHashOf(local!)).to.equal(saved.hash);

    const [synced] = await waitForFiles(a, (files) => files[0]?.state.kind === 'synced');
    const remote = await fetchRemote(storeId, synced!.remoteKey!);
    expect(remote.status).to.equal(200);
    expect(remote.headers.get('content-type')).to.equal('image/jpeg');
    expect(await contentHashOf(await remote.blob())).to.equal(saved.hash);
  });

  it('names files by their content hash on both sides of the 4 MiB block boundary, and another device verifies its copies against it', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    const b = track(await openOtherDevice(storeId));
    const MiB = 1024 * 1024;
    const sizes = [0, 1, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 5];
    const files = sizes.map((size, i) => new File([randomBytes(size, 100 + i)], `f${size}.bin`));
    const saved: FileView[] = [];
    for (const file of files) saved.push(await a.saveFile(file));
    for (const [i, view] of saved.entries()) expect(view.hash, `${sizes[i]} bytes`).to.equal(await contentHashOf(files[i]!));
    // No blocks at all: the SHA-256 of nothing, as the definition says.
    expect(saved[0]!.hash).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

    await waitForFiles(b, (views) => saved.every((s) => views.some((v) => v.id === s.id && v.state.kind === 'synced')));
    for (const view of saved) expect(await contentHashOf((await b.getFile(view.id))!)).to.equal(view.hash);
  });

  it('opens a store again at once after this page closed it, round after round, with the file saved just before (LiveStore\'s shared worker waits for the next session instead of closing under it)', async () => {
    const storeId = uniqueStoreId('again');
    let sync = await openSync(storeId);
    const saved = await sync.saveFile(new File([randomBytes(1_000, 3)], 'kept.bin'));
    // The store's shared worker holds this lock while it runs; checked where the page sees it held before the
    // close (WebKit's query did not list it in CI). The worker used to close itself as its last session
    // left, and a session connecting just then (a store opened again at once) got no answer in Firefox.
    const workerLock = `livestore-shared-worker-termination-lock-${storeId}`;
    const heldLocks = async () => (await navigator.locks.query()).held?.map((lock) => lock.name) ?? [];
    const listed = (await heldLocks()).includes(workerLock);
    for (let round = 1; round <= 6; round++) {
      await sync.close();
      if (round === 1 && listed) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(await heldLocks(), 'the shared worker still there for the next session').to.include(workerLock);
      }
      const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the store did not open again within 15 s (round ${round})`)), 15_000));
      sync = track(await Promise.race([openSync(storeId), late]));
      // Saved just before the first close, which hands its record to LiveStore's leader first (store.test.ts
      // checks that without the kit's record journal). Where the kit keeps the store in memory (WebKit here),
      // the store opened again starts empty and gets the record back from the backend.
      await waitForFiles(sync, (files) => files.some((file) => file.id === saved.id && file.name === 'kept.bin'), 10_000);
    }
  });

  it('shows a file saved on one device on another, which downloads and verifies it', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    const b = track(await openOtherDevice(storeId));
    const bytes = randomBytes(1_000_000, 11);
    const saved = await a.saveFile(new File([bytes], 'one-megabyte.bin', { type: 'application/octet-stream' }));

    const [seen] = await waitForFiles(b, (files) => files.some((f) => f.id === saved.id && f.state.kind === 'synced'));
    expect(seen?.name).to.equal('one-megabyte.bin');
    const copy = await b.getFile(saved.id);
    expect(copy?.size).to.equal(bytes.length);
    expect(await contentHashOf(copy!)).to.equal(saved.hash);
  });

  it('downloads in the page itself, verified the same way, when the download worker is turned off', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    const b = track(await openOtherDevice(storeId, 'in-page', { downloadWorker: false }));
    const bytes = randomBytes(5 * 1024 * 1024 + 3, 13);
    const saved = await a.saveFile(new File([bytes], 'in-page.bin'));
    await waitForFiles(b, (files) => files.some((f) => f.id === saved.id && f.state.kind === 'synced'));
    expect(await contentHashOf((await b.getFile(saved.id))!)).to.equal(saved.hash);
  });

  it('saves through its worker where the page has no createWritable (as Safari before 26; the method removed on purpose), and the file syncs', async function () {
    if (!pagesWriteFiles) this.skip();
    const storeId = uniqueStoreId();
    const createWritable = Object.getOwnPropertyDescriptor(FileSystemFileHandle.prototype, 'createWritable')!;
    delete (FileSystemFileHandle.prototype as { createWritable?: unknown }).createWritable;
    try {
      const a = track(await openSync(storeId, { localDirectory: `no-writable-${storeId}` }));
      expect(a.storage, 'files are still kept on the device').to.equal('device');
      const bytes = randomBytes(3_000_000, 31);
      const saved = await a.saveFile(new File([bytes], 'via-worker.bin'));
      expect(saved.hash).to.equal(await contentHashOf(new Blob([bytes])));
      expect(await contentHashOf((await a.getFile(saved.id))!)).to.equal(saved.hash);
      const b = track(await openOtherDevice(storeId));
      await waitForFiles(b, (files) => files.some((f) => f.id === saved.id && f.state.kind === 'synced'));
      expect(await contentHashOf((await b.getFile(saved.id))!)).to.equal(saved.hash);
    } finally {
      Object.defineProperty(FileSystemFileHandle.prototype, 'createWritable', createWritable);
    }
  });

  it('deletes a file on every device and in remote storage', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    const b = track(await openOtherDevice(storeId));
    const saved = await a.saveFile(new File([randomBytes(5000)], 'gone.txt', { type: 'text/plain' }));
    await waitForFiles(b, (files) => files.some((f) => f.id === saved.id && f.state.kind === 'synced'));

    await b.deleteFile(saved.id);
    expect(b.files.get().some((f) => f.id === saved.id)).to.equal(false);
    await waitForFiles(a, (files) => !files.some((f) => f.id === saved.id));
    // The bytes go too: locally on both devices, and remotely once B's leader has sent the delete.
    await waitFor(async () => (await a.local.read(saved.id)) === undefined, 'A removes its copy');
    await waitFor(async () => (await b.local.read(saved.id)) === undefined, 'B removes its copy');
    // The backend keeps deleted bytes for a grace period (one second in these tests), then removes them.
    await waitFor(async () => (await remoteStatus(storeId, `${saved.id}/${saved.hash}`)) === 404, 'the remote bytes go');
  });

  it('saves while the backend is unreachable (fault injected: a closed port) and keeps the file local', async () => {
    const storeId = uniqueStoreId();
    const sync = track(
      await FileSync.open({ endpoint: 'http://127.0.0.1:9', storeId, token: await devToken(storeId), localDirectory: `offline-${storeId}` }),
    );
    const saved = await sync.saveFile(new File(['offline bytes'], 'note.txt', { type: 'text/plain' }));
    expect(saved.state.kind).to.equal('local');
    await new Promise((r) => setTimeout(r, 1500));
    const [file] = sync.files.get();
    // Offline, a file reads as saved here (the queue waits for the backend), not as a retry countdown.
    expect(file?.state.kind).to.equal('local');
    expect(await (await sync.getFile(saved.id))?.text()).to.equal('offline bytes');
    expect(sync.summary.get().status).to.equal('offline');
    expect(sync.summary.get().pendingUploads).to.equal(1);
  });

  it('marks an upload refused for another store as failed, and retries it after a new token', async () => {
    const storeId = uniqueStoreId();
    const sync = track(await openSync(storeId));
    sync.setToken(await devToken(uniqueStoreId()));
    const saved = await sync.saveFile(new File(['x'], 'x.txt', { type: 'text/plain' }));
    const [failed] = await waitForFiles(sync, (files) => files[0]?.state.kind === 'failed');
    expect(failed?.state).to.deep.include({ kind: 'failed' });
    expect(failed?.state.kind === 'failed' && failed.state.failure.code).to.equal('wrong_store');
    expect(sync.summary.get().status).to.equal('error');

    sync.setToken(await devToken(storeId));
    await waitForFiles(sync, (files) => files[0]?.id === saved.id && files[0].state.kind === 'synced');
  });

  it('saves a drop of many files with their records committed together, and a file that cannot be saved fails alone', async () => {
    const sync = track(await openSync(uniqueStoreId()));
    const files = Array.from({ length: 30 }, (_, i) => new File([randomBytes(2000, i)], `many-${i}.bin`));
    const results = await sync.saveFiles([...files.slice(0, 10), { blob: new Blob(['x']), options: { name: 'n'.repeat(2000) } }, ...files.slice(10)]);
    expect(results).to.have.length(31);
    expect(results[10]).to.deep.include({ ok: false });
    expect(!results[10]!.ok && results[10]!.error.message).to.match(/longer than 1024/);
    const saved = results.filter((r) => r.ok).map((r) => (r.ok ? r.file : undefined)!);
    expect(saved.map((f) => f.name)).to.deep.equal(files.map((f) => f.name), 'in the order given');
    expect(sync.files.get()).to.have.length(30);
    for (const [i, file] of saved.entries()) expect(file.hash).to.equal(await contentHashOf(files[i]!));
    await waitForFiles(sync, (fs) => fs.length === 30 && fs.every((f) => f.state.kind === 'synced'));
  });

  it('shows a file from the moment it is dropped, while its save is held up on purpose (a stalled disk), and never as synced before its record', async () => {
    const storeId = uniqueStoreId();
    const sync = track(await openSync(storeId));
    const other = track(await openOtherDevice(storeId));
    await waitForSummary(sync, (s) => s.status === 'synced');
    const disk = holdSaves(sync);
    const bytes = randomBytes(50_000, 21);
    const saving = sync.saveFiles([new File([bytes], 'held.bin', { type: 'application/octet-stream' })]);

    const [shown] = await waitForFiles(sync, (files) => files[0]?.name === 'held.bin');
    expect(shown!.state.kind).to.equal('saving');
    expect(shown!.local, 'not on the device yet').to.equal(false);
    expect(sync.summary.get().status, 'a file being saved is not synced').to.not.equal('synced');
    expect(sync.summary.get().pendingUploads).to.equal(1);
    const fromMemory = await sync.getFile(shown!.id);
    expect(await contentHashOf(fromMemory!), 'the bytes shown are the ones dropped').to.equal(await contentHashOf(new Blob([bytes])));
    // Deleting it meanwhile waits for the save, then deletes the record everywhere.
    const deleting = sync.deleteFile(shown!.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(other.files.get().some((f) => f.id === shown!.id), 'no other device knows of a file before it is saved').to.equal(false);

    disk.release();
    const [result] = await saving;
    expect(result!.ok && result!.file.id).to.equal(shown!.id);
    expect(result!.ok && result!.file.hash).to.equal(await contentHashOf(new Blob([bytes])));
    await deleting;
    expect(sync.files.get().some((f) => f.id === shown!.id), 'deleted once saved').to.equal(false);
    await waitForSummary(sync, (s) => s.status === 'synced' && s.pendingUploads === 0);
  });

  it('counts a copy that lacks the backend’s files for as long as the stall bound as stopped (fault injected: its sync socket never connects), so it is opened again', async () => {
    const storeId = uniqueStoreId();
    const a = track(await openSync(storeId));
    // The fault: B's LiveStore syncs through a port nothing listens on; its checks of the backend's records
    // reach the backend. What it lacks it never gets, whatever reconnecting does.
    const timing = { recheckDifferent: 200, reconnectAfter: 500, stalledAfter: 2_000 };
    const b = track(await openOtherDevice(storeId, 'deaf', { upstreamTiming: timing }, 'ws://127.0.0.1:1'));
    await a.saveFile(new File([randomBytes(1000, 31)], 'elsewhere.bin'));
    const reason = await waitForValue(b.stopped, (r) => r !== undefined, 'B’s store counted as stopped', 20_000);
    expect(reason).to.match(/lacked 1 of the backend's files/);
    expect(b.summary.get()).to.deep.include({ status: 'error', stalled: true });
    expect(a.stopped.get(), 'a device that holds everything goes on').to.equal(undefined);
  });

  it('records a file whose media type no record may carry (a page made it so) with no type, and it syncs', async () => {
    const sync = track(await openSync(uniqueStoreId()));
    const saved = await sync.saveFile(new File(['typed'], 'odd.bin', { type: `application/${'x'.repeat(300)}` }));
    expect(saved.type).to.equal('');
    await waitForFiles(sync, (files) => files[0]?.id === saved.id && files[0].state.kind === 'synced');
  });

  it('keeps within a cache budget: least recently used synced copies leave the device, stay remote, and come back when asked for', async () => {
    const storeId = uniqueStoreId();
    const sync = track(await openSync(storeId));
    const saved: FileView[] = [];
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      saved.push(await sync.saveFile(new File([randomBytes(100_000, 40 + i)], `${name}.bin`, { type: 'application/octet-stream' })));
      await new Promise((r) => setTimeout(r, 5)); // distinct use times, saved in this order
    }
    const [a, b, c, d] = saved.map((file) => file.id) as [string, string, string, string];
    const state = (files: readonly FileView[], id: string) => files.find((f) => f.id === id)?.state.kind;
    await waitForFiles(sync, (fs) => saved.every((file) => state(fs, file.id) === 'synced'));

    // 400 KB held over a 250 KB budget: the two used longest ago leave; the others stay.
    sync.setCacheBudget(250_000);
    const files = await waitForFiles(sync, (fs) => state(fs, a) === 'remote' && state(fs, b) === 'remote');
    expect([state(files, c), state(files, d)]).to.deep.equal(['synced', 'synced']);
    expect(await sync.local.read(a)).to.equal(undefined);
    // Kept remote on purpose: the store reads as synced (once the backend confirms its records), not as two downloads pending.
    expect(await waitForSummary(sync, (s) => s.status !== 'syncing' || s.pendingDownloads > 0)).to.deep.include({ status: 'synced', pendingDownloads: 0 });
    for (const file of saved) expect(await remoteStatus(storeId, `${file.id}/${file.hash}`)).to.equal(200);

    // Asked for again (what <ls-file-image> does when it shows it), A is fetched and verified; C, now the
    // least recently used, makes room. B is not fetched in the background.
    expect(await sync.getFile(a)).to.equal(undefined);
    await waitForFiles(sync, (fs) => state(fs, a) === 'synced' && state(fs, c) === 'remote');
    expect(await contentHashOf((await sync.getFile(a))!)).to.equal(saved[0]!.hash);
    await new Promise((r) => setTimeout(r, 500));
    expect(state(sync.files.get(), b)).to.equal('remote');
  });

  it('never evicts bytes that are not uploaded yet, even over budget (fault injected: a closed port)', async () => {
    const storeId = uniqueStoreId();
    const sync = track(
      await FileSync.open({ endpoint: 'http://127.0.0.1:9', storeId, token: await devToken(storeId), localDirectory: `budget-${storeId}`, cacheBudget: 0 }),
    );
    const saved = await sync.saveFile(new File([randomBytes(50_000, 3)], 'only-here.bin'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(sync.files.get()[0]?.state.kind).to.equal('local');
    expect(await contentHashOf((await sync.getFile(saved.id))!)).to.equal(saved.hash);
  });

  it('refuses a cache budget that is not a number of bytes', async () => {
    const sync = track(await openSync(uniqueStoreId()));
    expect(() => sync.setCacheBudget(-1)).to.throw(/number of bytes/);
    expect(() => sync.setCacheBudget(Number.NaN)).to.throw(/number of bytes/);
    sync.setCacheBudget(10_000_000);
    expect(sync.cacheBudget).to.equal(10_000_000);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
