import { expect } from '@open-wc/testing';
import type { FileSync } from '../../src/core/index.js';
import { FileSync as FileSyncClass } from '../../src/core/index.js';
import { fileSyncEvents } from '../../src/core/store/schema.js';
import { syncUrlOf } from '../../src/core/store/store.js';
import { UpstreamCheck, type UpstreamState, type UpstreamTiming } from '../../src/core/sync/upstream-check.js';
import { backendUrl, devToken, openOtherDevice, openSync, randomBytes, uniqueStoreId, waitForFiles, waitForSummary, waitForValue } from './helpers.js';

const timing: Partial<UpstreamTiming> = { recheckDifferent: 150, afterChange: 50, resendAfter: 600, reconnectAfter: 600, stalledAfter: 2_500 };

const waitForState = (check: UpstreamCheck, predicate: (state: UpstreamState) => boolean, what: string, timeoutMs = 15_000) =>
  waitForValue(check.state, predicate, what, timeoutMs);

/** A device of `storeId` holding `count` files, uploaded, with the backend holding every record (the kit says synced). */
async function deviceWithFiles(storeId: string, name: string, count: number): Promise<{ sync: FileSync; ids: string[] }> {
  const sync = await openOtherDevice(storeId, name);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await sync.saveFile(new File([randomBytes(2_000 + i, 40 + i)], `${name}-${i}.bin`))).id);
  await waitForFiles(sync, (files) => files.length === count && files.every((f) => f.state.kind === 'synced'));
  // A file's bytes can be stored before its record reaches the backend; only the summary waits for both.
  await waitForSummary(sync, (summary) => summary.status === 'synced');
  return { sync, ids };
}

describe('UpstreamCheck: the backend itself, not LiveStore, says whether it holds this device\'s records', () => {
  const closing: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('confirms a device whose records the backend holds, and withdraws that once the records change', async () => {
    const storeId = uniqueStoreId('up');
    const { sync } = await deviceWithFiles(storeId, 'device-a', 2);
    closing.push(() => sync.close());
    const token = await devToken(storeId);
    const check = new UpstreamCheck({ store: sync.store, endpoint: await backendUrl(), storeId, token: () => token, reconnect: () => {}, timing });
    closing.push(() => check.close());
    await waitForState(check, (s) => s.kind === 'confirmed', 'confirmed by the backend');

    await sync.saveFile(new File([randomBytes(500, 9)], 'later.bin'));
    await waitForState(check, (s) => s.kind !== 'confirmed', 'no longer confirmed after a new record', 2_000);
    await waitForState(check, (s) => s.kind === 'confirmed', 'confirmed again once the backend holds the new record');
  });

  it('sends again what the backend lacks, reconnects for what this device lacks, then says stalled (fault injected: another store\'s manifest stands in for a backend that lost records)', async () => {
    const [x, y] = [uniqueStoreId('up-x'), uniqueStoreId('up-y')];
    const here = await deviceWithFiles(x, 'device-x', 2);
    closing.push(() => here.sync.close());
    const there = await deviceWithFiles(y, 'device-y', 1);
    closing.push(() => there.sync.close());

    // What the check commits, seen on the real store.
    const store = here.sync.store;
    const commits: { at: number; names: string[] }[] = [];
    const commit = store.commit.bind(store) as (...events: { name: string }[]) => void;
    (store as unknown as { commit: (...events: { name: string }[]) => void }).commit = (...events) => {
      commits.push({ at: Date.now(), names: events.map((e) => e.name) });
      commit(...events);
    };
    closing.push(() => ((store as unknown as { commit: unknown }).commit = commit));

    let reconnects = 0;
    const token = await devToken(y, ['read']);
    const started = Date.now();
    const check = new UpstreamCheck({ store, endpoint: await backendUrl(), storeId: y, token: () => token, reconnect: () => reconnects++, timing });
    closing.push(() => check.close());

    const differs = await waitForState(check, (s) => s.kind === 'differs', 'the difference seen');
    expect(differs).to.include({ missingUpstream: 2, missingHere: 1, stalled: false });
    const stalled = await waitForState(check, (s) => s.kind === 'differs' && s.stalled, 'stalled once nothing comes closer');
    const elapsed = Date.now() - started;
    expect(elapsed).to.be.at.least(timing.stalledAfter!);
    expect(stalled).to.include({ missingUpstream: 2, missingHere: 1 });

    // Both files were committed again, creation and upload, and not more often than once per resend interval.
    expect(commits.length).to.be.at.least(1);
    expect(commits.length).to.be.at.most(Math.ceil(elapsed / timing.resendAfter!));
    for (const { names } of commits) expect(names.toSorted()).to.deep.equal(['lsfs.v1.FileCreated', 'lsfs.v1.FileCreated', 'lsfs.v1.FileUploaded', 'lsfs.v1.FileUploaded']);
    for (const [a, b] of commits.slice(1).map((c, i) => [commits[i]!.at, c.at])) expect(b! - a!).to.be.at.least(timing.resendAfter! - 50);
    expect(reconnects).to.be.within(1, Math.ceil(elapsed / timing.reconnectAfter!));
  });

  it('says behind, asks to reconnect and recovers when the live connection stops bringing what the backend holds while the records match (fault injected: a socket that drops what it receives)', async () => {
    const storeId = uniqueStoreId('up-pull');
    const writer = await openSync(storeId);
    closing.push(() => writer.close());
    const saved = await writer.saveFile(new File([randomBytes(3_000, 5)], 'photo.bin'));

    // The hearing device: LiveStore in this page, over sockets that can be made deaf. LiveStore's ping fails
    // after a second unanswered, so a socket that heard nothing is replaced soon after hearing comes back.
    const gate = { deaf: false };
    const Native = globalThis.WebSocket;
    globalThis.WebSocket = class extends Native {
      override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
        if (type !== 'message') return super.addEventListener(type, listener, options);
        super.addEventListener(type, (event) => gate.deaf || (typeof listener === 'function' ? listener(event) : listener.handleEvent(event)), options);
      }
    };
    closing.push(() => (globalThis.WebSocket = Native));
    const { makeInMemoryAdapter } = await import('@livestore/adapter-web');
    const { makeWsSync } = await import('@livestore/sync-cf/client');
    const endpoint = await backendUrl();
    const token = await devToken(storeId);
    const hearing = await FileSyncClass.open({
      endpoint,
      storeId,
      token,
      localDirectory: `hearing-${crypto.randomUUID().slice(0, 6)}`,
      adapter: makeInMemoryAdapter({ clientId: `hearing-${crypto.randomUUID().slice(0, 6)}`, sync: { backend: makeWsSync({ url: syncUrlOf(endpoint), ping: { requestInterval: 1_000, requestTimeout: 1_000 } }) } }),
    });
    closing.push(() => hearing.close());
    await waitForFiles(hearing, (files) => files.some((f) => f.id === saved.id && f.remoteKey !== null));

    let reconnects = 0;
    const check = new UpstreamCheck({ store: hearing.store, endpoint, storeId, token: () => token, reconnect: () => reconnects++, timing: { ...timing, recheckConfirmed: 200, pullWithin: 1_000 } });
    closing.push(() => check.close());
    await waitForState(check, (s) => s.kind === 'confirmed', 'confirmed while the connection hears');

    // Another device describes the image: an event that changes no record the manifest compares.
    gate.deaf = true;
    writer.store.commit(fileSyncEvents.imageMetaSet({ id: saved.id, hash: saved.hash, width: 3, height: 2, preview: 'data:image/jpeg;base64,AA==' }));
    const behind = await waitForState(check, (s) => s.kind === 'behind', 'behind once the connection stopped hearing');
    expect(behind).to.deep.equal({ kind: 'behind', stalled: false });
    expect(reconnects, 'reconnects asked for').to.be.above(0);

    gate.deaf = false;
    await waitForState(check, (s) => s.kind === 'confirmed', 'confirmed again once LiveStore replaced the socket and pulled', 30_000);
    expect(hearing.file(saved.id)?.width, 'the description arrived').to.equal(3);
  });
});
