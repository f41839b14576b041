import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { Cause, Effect } from 'effect';
import type { LsFileGallery, LsFileImage, LsFileSync, LsFileUpload } from '../../../src/elements/index.js';
import { backendUrl, devToken, openOtherDevice, uniqueStoreId } from '../helpers.js';
import { pngFile, until, mountKit } from './kit.js';

describe('elements outside any <ls-file-sync>', () => {
  it('use the page-wide store set with configure()', async () => {
    const { configure } = await import('../../../src/elements/index.js');
    const storeId = uniqueStoreId('page');
    configure({ endpoint: await backendUrl(), storeId, token: await devToken(storeId) });
    const upload = await fixture<LsFileUpload>(html`<ls-file-upload accept="image/*"></ls-file-upload>`);
    const [saved] = await upload.addFiles([await pngFile('standalone.png')]);
    const image = await fixture<LsFileImage>(html`<ls-file-image file-id=${saved!.id}></ls-file-image>`);
    await until(() => image.getAttribute('status') === 'ready', 'the standalone image');
    expect(image.shadowRoot!.querySelector('img')?.alt).to.equal('standalone.png');
  });
});

describe('a FileSync the page opened itself', () => {
  it('is provided to the elements when set as <ls-file-sync>.sync, and left open when they go', async () => {
    const sync = await openOtherDevice(uniqueStoreId('given'), 'given');
    try {
      const provider = await fixture<LsFileSync>(html`<ls-file-sync .sync=${sync}><ls-file-gallery></ls-file-gallery></ls-file-sync>`);
      const gallery = provider.querySelector<LsFileGallery>('ls-file-gallery')!;
      expect(await provider.ready).to.equal(sync);
      await sync.saveFile(await pngFile('given.png'));
      await until(() => gallery.getAttribute('count') === '1', 'the gallery to show the given store’s file');
      provider.remove();
      // The page opened it, so the page closes it: it still saves after the provider left.
      expect((await sync.saveFile(await pngFile('after.png'))).name).to.equal('after.png');
    } finally {
      await sync.close();
    }
  });
});

describe('cache-budget on <ls-file-sync>', () => {
  it('opens the store again when LiveStore stops it on its own, with the files saved before (fault injected: the store shut down with an error)', async () => {
    const { provider, upload, status } = await mountKit();
    const first = provider.sync!;
    const [view] = await upload.addFiles([await pngFile()]);
    await until(() => first.file(view!.id)?.state.kind === 'synced', 'the file synced');

    const reopened = oneEvent(provider, 'ls-ready');
    await Effect.runPromise(first.store.shutdown(Cause.die(new Error('injected: the leader failed'))));
    const { sync: second } = (
      await Promise.race([
        reopened,
        new Promise<never>((_, reject) =>
          setTimeout(async () => reject(new Error(`timed out waiting for the store to open again: ${JSON.stringify(first.summary.get())} locks ${JSON.stringify(await navigator.locks.query())}`)), 30_000),
        ),
      ])
    ).detail;
    expect(first.summary.get(), 'the stopped store said so').to.deep.include({ status: 'error', stalled: true });
    expect(second).to.not.equal(first);
    expect(provider.sync).to.equal(second);
    await until(() => second.file(view!.id)?.state.kind === 'synced', 'the file in the store opened again');
    await until(() => status.summary?.status === 'synced', 'the status element following the store opened again', 30_000);
    const [later] = await upload.addFiles([await pngFile('later.png')]);
    await until(() => second.file(later!.id)?.state.kind === 'synced', 'a file saved afterwards synced').catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify({ view: second.file(later!.id), summary: second.summary.get(), leader: second.isLeader.get() })}`);
    });
  });

  it('sets the core’s budget from a size, and refuses a value that is not one with ls-sync-error', async () => {
    const { provider } = await mountKit();
    const sync = await provider.ready;
    provider.setAttribute('cache-budget', '1.5MB');
    await until(() => sync.cacheBudget === 1_500_000, 'the budget to reach the core');
    provider.setAttribute('cache-budget', '2GiB');
    await until(() => sync.cacheBudget === 2 * 1024 ** 3, 'the budget in binary units');

    const refused = oneEvent(provider, 'ls-sync-error');
    provider.setAttribute('cache-budget', 'lots');
    expect((await refused).detail.error.message).to.include('cache-budget "lots" is not a size');
    expect(sync.cacheBudget, 'a bad value leaves the budget as it was').to.equal(2 * 1024 ** 3);
  });
});
