import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { registerTranslationLoader } from '../../../src/elements/index.js';
import type { LsFileImage, LsSyncStatus } from '../../../src/elements/index.js';
import { devToken, pagesWriteFiles, uniqueStoreId } from '../helpers.js';
import { pngFile, until, mountKit } from './kit.js';

describe('the elements together', () => {
  it('shows an added image at once from this device, then reports it synced', async () => {
    const { upload, gallery, status } = await mountKit();
    const added = oneEvent(upload, 'ls-file-added');
    void upload.addFiles([await pngFile()]);
    const { detail } = await added;
    expect(detail.fileId).to.be.a('string');

    await until(() => gallery.shadowRoot!.querySelector('ls-file-image') !== null, 'the gallery tile');
    const image = gallery.shadowRoot!.querySelector<LsFileImage>('ls-file-image')!;
    expect(image.getAttribute('file-id')).to.equal(detail.fileId);
    await until(() => image.getAttribute('status') === 'ready', 'the image to be ready');
    const img = image.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!;
    expect(img.naturalWidth).to.equal(4);
    expect(img.src.startsWith('blob:')).to.equal(true);
    // Hidden while it loads (so it is decoded once, whole), shown once loaded.
    await image.updateComplete;
    expect(getComputedStyle(img).visibility).to.equal('visible');

    await until(() => status.getAttribute('status') === 'synced', 'the status to be synced');
    expect(status.getAttribute('pending-uploads')).to.equal('0');
  });

  it('submits the saved file ids with the form under its name, and resets with it', async () => {
    const { form, upload } = await mountKit();
    const [first, second] = await upload.addFiles([await pngFile('a.png'), await pngFile('b.png')]);
    const data = new FormData(form);
    expect(data.getAll('photos')).to.deep.equal([first!.id, second!.id]);

    form.reset();
    await upload.updateComplete;
    expect(new FormData(form).getAll('photos')).to.deep.equal([]);
  });

  it('restores the files it held when the browser restores the form (back/forward)', async () => {
    const { form, upload } = await mountKit();
    const [saved] = await upload.addFiles([await pngFile('kept.png')]);
    const state = new FormData();
    state.append('id', saved!.id);
    form.reset();
    upload.formStateRestoreCallback(state);
    await upload.updateComplete;
    expect(new FormData(form).getAll('photos')).to.deep.equal([saved!.id]);
    expect(upload.shadowRoot!.querySelector('[part=file-name]')?.textContent).to.equal('kept.png');
  });

  it('blocks submitting a required upload that has no file', async () => {
    const { upload } = await mountKit();
    upload.required = true;
    await upload.updateComplete;
    expect(upload.checkValidity()).to.equal(false);
    expect(upload.validity.valueMissing).to.equal(true);
    await upload.addFiles([await pngFile()]);
    await upload.updateComplete;
    expect(upload.checkValidity()).to.equal(true);
  });

  it('rejects a file that does not match accept, with a reason, and saves nothing', async () => {
    const { upload, gallery } = await mountKit();
    const rejected = oneEvent(upload, 'ls-file-rejected');
    const saved = await upload.addFiles([new File(['<html>'], 'page.html', { type: 'text/html' })]);
    const { detail } = await rejected;
    expect(detail.reason).to.equal('type');
    expect(detail.message).to.contain('page.html');
    expect(saved).to.deep.equal([]);
    expect(gallery.getAttribute('count')).to.equal('0');
  });

  it('saves files picked with the native input in its shadow root', async () => {
    const { upload, gallery } = await mountKit();
    const input = upload.shadowRoot!.querySelector<HTMLInputElement>('input[part=input]')!;
    expect(input.type).to.equal('file');
    const transfer = new DataTransfer();
    transfer.items.add(await pngFile('picked.png'));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await oneEvent(upload, 'ls-file-added');
    await until(() => gallery.getAttribute('count') === '1', 'the gallery to list the file');
  });

  it('deletes a file from the gallery', async () => {
    const { upload, gallery } = await mountKit();
    await upload.addFiles([await pngFile()]);
    await until(() => gallery.getAttribute('count') === '1', 'the file to show');
    gallery.shadowRoot!.querySelector<HTMLButtonElement>('button[part=delete]')!.click();
    await until(() => gallery.getAttribute('count') === '0', 'the file to go');
  });
});

describe('languages', () => {
  it('speaks the language of the closest lang attribute, right to left in Arabic', async () => {
    const { provider, upload, status } = await mountKit();
    provider.setAttribute('lang', 'de');
    upload.requestUpdate();
    status.requestUpdate();
    // German loads on demand: the elements render again when it arrives.
    await until(() => upload.shadowRoot!.textContent!.includes('Dateien auswählen'), 'a German upload control');
    await until(() => status.shadowRoot!.textContent!.includes('synchronisiert'), 'a German status');

    provider.setAttribute('lang', 'ar');
    provider.setAttribute('dir', 'rtl');
    upload.requestUpdate();
    await until(() => upload.shadowRoot!.textContent!.includes('اختر ملفات'), 'an Arabic upload control');
    expect(getComputedStyle(upload.shadowRoot!.querySelector('[part=base]')!).direction).to.equal('rtl');
  });

  /** Renders `<ls-sync-status>` with `summary` under each language and waits for that language's words. */
  async function statusInEachLanguage(summary: NonNullable<LsSyncStatus['summary']>, expected: Record<string, string>, check: (status: LsSyncStatus) => void = () => {}) {
    for (const [lang, words] of Object.entries(expected)) {
      const root = await fixture<HTMLElement>(html`<div lang=${lang}><ls-sync-status></ls-sync-status></div>`);
      const status = root.querySelector<LsSyncStatus>('ls-sync-status')!;
      status.summary = summary;
      await until(() => status.shadowRoot!.textContent!.includes(words), `"${words}" in ${lang}`);
      check(status);
    }
  }
  const quiet = { online: true, backendReachable: true, pendingUploads: 0, pendingDownloads: 0, failed: 0, bytesLoaded: 0, bytesTotal: 0 } as const;

  it('a stopped sync reads as an error that says to reload, in English, German and Arabic, with no retry button', async () => {
    await statusInEachLanguage(
      { ...quiet, status: 'error', upstream: 'differs', missingUpstream: 2, missingHere: 0, stalled: true },
      { en: 'Reload the page', de: 'Laden Sie die Seite neu', ar: 'أعد تحميل الصفحة' },
      (status) => expect(status.shadowRoot!.querySelector('button[part=retry]'), 'no retry button: retrying files restarts nothing').to.equal(null),
    );
  });

  it('a connection that stopped bringing the server\'s changes reads as catching up, in English, German and Arabic', async () => {
    await statusInEachLanguage(
      { ...quiet, status: 'syncing', upstream: 'behind', missingUpstream: 0, missingHere: 0, stalled: false },
      { en: 'Catching up with changes on the server', de: 'Änderungen vom Server werden nachgeholt', ar: 'جارٍ جلب التغييرات الأخيرة من الخادم' },
    );
  });

  it('renders first in a language that loads on demand, never in English before it', async () => {
    let arrive = () => {};
    registerTranslationLoader('x-slow', async () => {
      await new Promise<void>((resolve) => (arrive = resolve));
      return { browse: 'pick slowly', emptyGallery: 'nothing slowly' };
    });
    const root = await fixture<HTMLElement>(html`<div lang="x-slow">
      <ls-file-upload></ls-file-upload>
      <ls-file-gallery></ls-file-gallery>
    </div>`);
    const upload = root.querySelector('ls-file-upload')!;
    const gallery = root.querySelector('ls-file-gallery')!;
    await new Promise((r) => setTimeout(r, 100));
    // Nothing rendered while the language loads (an empty shadow root), rather than English.
    expect(upload.hasUpdated).to.equal(false);
    expect(upload.shadowRoot!.textContent!.trim()).to.equal('');
    arrive();
    await upload.updateComplete;
    await gallery.updateComplete;
    expect(upload.shadowRoot!.textContent).to.contain('pick slowly');
    expect(upload.shadowRoot!.textContent).not.to.contain('choose files');
    expect(gallery.shadowRoot!.textContent).to.contain('nothing slowly');
  });

  it('shows English, and renders once, when its language fails to load (a loader that rejects on purpose)', async () => {
    registerTranslationLoader('x-broken', () => Promise.reject(new Error('chunk unreachable')));
    const root = document.createElement('div');
    root.lang = 'x-broken';
    const upload = document.createElement('ls-file-upload');
    // Counted, and bounded so that a render loop fails this test instead of freezing the page.
    let updates = 0;
    const requestUpdate = upload.requestUpdate.bind(upload);
    upload.requestUpdate = (...args: Parameters<typeof requestUpdate>) => {
      if (++updates < 50) requestUpdate(...args);
    };
    root.append(upload);
    document.body.append(root);
    try {
      await until(() => upload.hasUpdated, 'a first render');
      await new Promise((r) => setTimeout(r, 100));
      expect(upload.shadowRoot!.textContent).to.contain('choose files');
      expect(updates).to.be.below(5);
    } finally {
      root.remove();
    }
  });
});

describe('axe-core accessibility checks in every state a user meets', () => {
  it('empty: nothing added yet, the gallery’s empty state', async () => {
    const { form, gallery, status } = await mountKit();
    await until(() => gallery.getAttribute('count') === '0' && status.hasAttribute('status'), 'the empty kit');
    await expect(form).to.be.accessible();
  });

  it('refused files listed with their reasons and a dismiss button', async () => {
    const { form, upload } = await mountKit();
    upload.maxSize = '1KB';
    await upload.addFiles([new File([new Uint8Array(5000)], 'big.png', { type: 'image/png' })]);
    await upload.updateComplete;
    expect(upload.shadowRoot!.querySelectorAll('[part=rejection]')).to.have.length(1);
    await expect(form).to.be.accessible();
  });

  it('offline (fault injected: a closed port): a file saved on the device, waiting to upload', async () => {
    const { form, upload, gallery, status } = await mountKit(uniqueStoreId('el-off'), 'http://127.0.0.1:9');
    await upload.addFiles([await pngFile('offline.png')]);
    await until(() => gallery.getAttribute('count') === '1' && status.getAttribute('status') === 'offline', 'the offline state');
    await expect(form).to.be.accessible();
  });

  it('failed: an upload refused for another store, with its reason and retry buttons', async () => {
    const { form, provider, upload, status } = await mountKit();
    (await provider.ready).setToken(await devToken(uniqueStoreId('other')));
    await upload.addFiles([await pngFile('refused.png')]);
    await until(() => status.getAttribute('status') === 'error', 'the error state');
    await upload.updateComplete;
    expect(upload.shadowRoot!.querySelector('button[part~=retry]'), 'a retry button on the file').to.not.equal(null);
    await expect(form).to.be.accessible();
  });
});

describe('files kept in memory (storage="memory", as where a private window offers no storage)', () => {
  it('says once that files are not kept in this window, in English, German and Arabic, and a file reads as held here until uploaded', async () => {
    const storeId = uniqueStoreId('elmem');
    // A backend that cannot be reached (a closed port, on purpose): the file stays in this window.
    const { provider, upload, status } = await mountKit(storeId, 'http://127.0.0.1:9', 'memory');
    expect((await provider.ready).storage).to.equal('memory');
    const note = () => status.shadowRoot!.querySelector('[part=storage-note]')?.textContent ?? '';
    await until(() => note().includes("Files aren't kept on this device in this window"), 'the note in English');
    await upload.addFiles([await pngFile('held.png')]);
    await until(() => upload.shadowRoot!.textContent!.includes('In this window until uploaded'), 'the file read as held in this window');
    expect(upload.shadowRoot!.textContent).not.to.include('Saved on this device');

    for (const [lang, words] of [['de', 'nicht auf dem Gerät gespeichert'], ['ar', 'لا تُحفظ الملفات على هذا الجهاز']] as const) {
      provider.setAttribute('lang', lang);
      status.requestUpdate();
      await until(() => note().includes(words), `the note in ${lang}`);
    }
    expect(status.shadowRoot!.querySelectorAll('[part=storage-note]').length, 'said once').to.equal(1);
  });

  it('says nothing of it where files are kept on the device', async function () {
    if (!pagesWriteFiles) this.skip();
    const { provider, status } = await mountKit();
    expect((await provider.ready).storage).to.equal('device');
    // Rendered with the open store's summary: the note would be there by now.
    await until(() => status.summary !== undefined, 'the status of the open store');
    await status.updateComplete;
    expect(status.shadowRoot!.querySelector('[part=storage-note]')).to.equal(null);
  });
});
