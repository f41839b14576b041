import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { Cause, Effect } from 'effect';
import { registerTranslationLoader } from '../../src/elements/index.js';
import type { LsFileGallery, LsFileImage, LsFileSync, LsFileUpload, LsSyncStatus } from '../../src/elements/index.js';
import { backendUrl, devToken, openOtherDevice, uniqueStoreId } from './helpers.js';

/** A tiny valid PNG (4x4, red), made with a canvas so it decodes in an <img>. */
async function pngFile(name = 'red.png'): Promise<File> {
  const canvas = new OffscreenCanvas(4, 4);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#f00';
  ctx.fillRect(0, 0, 4, 4);
  return new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mountKit(storeId = uniqueStoreId('el'), endpoint?: string) {
  const root = await fixture<HTMLFormElement>(html`
    <form>
      <ls-file-sync endpoint=${endpoint ?? (await backendUrl())} store-id=${storeId} token=${await devToken(storeId)}>
        <ls-file-upload name="photos" accept="image/*" multiple></ls-file-upload>
        <ls-file-gallery></ls-file-gallery>
        <ls-sync-status></ls-sync-status>
      </ls-file-sync>
    </form>
  `);
  const provider = root.querySelector<LsFileSync>('ls-file-sync')!;
  await provider.ready;
  return {
    form: root,
    provider,
    upload: root.querySelector<LsFileUpload>('ls-file-upload')!,
    gallery: root.querySelector<LsFileGallery>('ls-file-gallery')!,
    status: root.querySelector<LsSyncStatus>('ls-sync-status')!,
  };
}

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

describe('restrictions, paste, keyboard', () => {
  it('rejects files over max-size and beyond max-files with their reasons', async () => {
    const { upload } = await mountKit();
    upload.maxSize = '1KB';
    upload.maxFiles = 2;
    const reasons: string[] = [];
    upload.addEventListener('ls-file-rejected', (e) => reasons.push(e.detail.reason));
    const big = new File([new Uint8Array(5000)], 'big.png', { type: 'image/png' });
    const saved = await upload.addFiles([big, await pngFile('1.png'), await pngFile('2.png'), await pngFile('3.png')]);
    expect(saved.map((f) => f.name)).to.deep.equal(['1.png', '2.png']);
    expect(reasons).to.deep.equal(['size', 'count']);
    // The reasons are on screen too, not only announced, until the next drop or "dismiss".
    await upload.updateComplete;
    const shown = () => [...upload.shadowRoot!.querySelectorAll('[part=rejection]')].map((li) => li.textContent!.trim());
    expect(shown()).to.have.length(2);
    expect(shown()[0]).to.contain('big.png');
    upload.shadowRoot!.querySelector<HTMLButtonElement>('button[part=dismiss]')!.click();
    await upload.updateComplete;
    expect(shown()).to.deep.equal([]);
  });

  it('fires input then change when files are added, as a native file input does', async () => {
    const { upload } = await mountKit();
    const events: string[] = [];
    upload.addEventListener('input', () => events.push('input'));
    upload.addEventListener('change', () => events.push(`change:${upload.value.length}`));
    await upload.addFiles([await pngFile()]);
    expect(events).to.deep.equal(['input', 'change:1']);
  });

  it('saves several files dropped on it at once', async () => {
    const { upload, gallery } = await mountKit();
    const transfer = new DataTransfer();
    transfer.items.add(await pngFile('one.png'));
    transfer.items.add(await pngFile('two.png'));
    const over = new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true });
    upload.dispatchEvent(over);
    expect(over.defaultPrevented).to.equal(true, 'the drop zone accepts the drag');
    await upload.updateComplete;
    expect(upload.hasAttribute('dragging')).to.equal(true);
    upload.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    await until(() => gallery.getAttribute('count') === '2', 'both dropped files');
    expect(upload.value).to.have.length(2);
    await upload.updateComplete;
    expect(upload.hasAttribute('dragging')).to.equal(false);
  });

  it('saves files pasted into it', async () => {
    const { upload } = await mountKit();
    const transfer = new DataTransfer();
    transfer.items.add(await pngFile('pasted.png'));
    const added = oneEvent(upload, 'ls-file-added');
    upload.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, composed: true }));
    expect((await added).detail.file.name).to.equal('pasted.png');
  });

  it('takes keyboard focus on its picker button', async () => {
    const { upload } = await mountKit();
    upload.focus();
    expect(upload.shadowRoot!.activeElement?.getAttribute('part')).to.equal('button');
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

describe('gallery and image details', () => {
  it('records an image’s size and a tiny preview for other devices', async () => {
    const { provider, upload } = await mountKit();
    const [view] = await upload.addFiles([await pngFile()]);
    const sync = await provider.ready;
    await until(() => sync.file(view!.id)?.preview != null, 'the preview');
    const described = sync.file(view!.id)!;
    expect([described.width, described.height]).to.deep.equal([4, 4]);
    expect(described.preview).to.match(/^data:image\/jpeg;base64,/);
    expect(described.preview!.length).to.be.below(4096);
  });

  it('lets a deletion be undone for a few seconds, then deletes', async () => {
    const { provider, upload, gallery } = await mountKit();
    const [view] = await upload.addFiles([await pngFile()]);
    await until(() => gallery.getAttribute('count') === '1', 'the file to show');
    const deleteButton = () => gallery.shadowRoot!.querySelector<HTMLButtonElement>('button[part=delete]')!;

    deleteButton().click();
    await until(() => gallery.getAttribute('count') === '0', 'the file to hide');
    gallery.shadowRoot!.querySelector<HTMLButtonElement>('[part=undo] button')!.click();
    await until(() => gallery.getAttribute('count') === '1', 'the file to come back');

    deleteButton().click();
    const deleted = oneEvent(gallery, 'ls-file-deleted');
    expect((await deleted).detail.fileId).to.equal(view!.id);
    expect((await provider.ready).file(view!.id)).to.equal(undefined);
  });

  it('passes an axe-core accessibility check with a file added and synced', async () => {
    const { form, upload, gallery, status } = await mountKit();
    await upload.addFiles([await pngFile('a.png')]);
    await until(() => gallery.getAttribute('count') === '1', 'the file to show');
    await until(() => status.getAttribute('status') === 'synced', 'synced');
    await expect(form).to.be.accessible();
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

describe('elements outside any <ls-file-sync>', () => {
  it('use the page-wide store set with configure()', async () => {
    const { configure } = await import('../../src/elements/index.js');
    const storeId = uniqueStoreId('page');
    configure({ endpoint: await backendUrl(), storeId, token: await devToken(storeId) });
    const upload = await fixture<LsFileUpload>(html`<ls-file-upload accept="image/*"></ls-file-upload>`);
    const [saved] = await upload.addFiles([await pngFile('standalone.png')]);
    const image = await fixture<LsFileImage>(html`<ls-file-image file-id=${saved!.id}></ls-file-image>`);
    await until(() => image.getAttribute('status') === 'ready', 'the standalone image');
    expect(image.shadowRoot!.querySelector('img')?.alt).to.equal('standalone.png');
  });
});

describe('<ls-file-image> errors', () => {
  it('says an image that cannot be decoded is unavailable, with ls-error, and keeps the file', async () => {
    const { provider, upload, gallery } = await mountKit();
    const failed = oneEvent(gallery, 'ls-error');
    const [view] = await upload.addFiles([new File(['not an image at all'], 'broken.png', { type: 'image/png' })]);
    const { detail } = await failed;
    const image = gallery.shadowRoot!.querySelector<LsFileImage>('ls-file-image')!;
    expect(detail.reason).to.equal('decode');
    expect(image.getAttribute('status')).to.equal('failed');
    await image.updateComplete;
    // (Counted, not compared: a failed comparison with an element makes the runner serialize it, forever.)
    expect(image.shadowRoot!.querySelectorAll('img[part=image]').length).to.equal(0);
    expect(image.shadowRoot!.querySelector('[part=placeholder]')!.textContent).to.match(/unavailable/i);
    // The bytes the user dropped are still there, to download or upload.
    expect(await (await (await provider.ready).getFile(view!.id))!.text()).to.equal('not an image at all');
  });
});

/**
 * A photo of noise (it does not compress: a large file) with a red square in its top-left corner, marked
 * by EXIF as taken with the camera turned (orientation 6: shown turned a quarter clockwise).
 */
async function turnedPhoto(width: number, height: number): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  const pixels = ctx.createImageData(width, height);
  crypto.getRandomValues(pixels.data.subarray(0, 65536));
  for (let i = 65536; i < pixels.data.length; i += 65536) pixels.data.copyWithin(i, 0, 65536);
  ctx.putImageData(pixels, 0, 0);
  ctx.fillStyle = '#f00';
  ctx.fillRect(0, 0, width / 4, height / 4);
  const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
  // An APP1 segment after the start marker: "Exif", a little-endian TIFF header, one IFD entry (0x0112, a SHORT).
  const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = new Uint8Array([0xff, 0xe1, 0, exif.length + 2, ...exif]);
  return new File([jpeg.subarray(0, 2), app1, jpeg.subarray(2)], 'turned.jpg', { type: 'image/jpeg' });
}

/** The colour at a share of the way across and down what an <img> shows. */
function colourAt(img: HTMLImageElement, x: number, y: number): [number, number, number] {
  const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const [r, g, b] = ctx.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data;
  return [r!, g!, b!];
}

describe('<ls-file-image> sizes', () => {
  it('shows a large photo in a small tile decoded at the tile’s size, upright, and whole where nothing sizes it', async () => {
    const { provider, upload, gallery } = await mountKit();
    const [saved] = await upload.addFiles([await turnedPhoto(2400, 1600)]);
    expect(saved!.size).to.be.above(256 * 1024);

    await until(() => gallery.shadowRoot!.querySelector('ls-file-image')?.getAttribute('status') === 'ready', 'the tile');
    const tile = gallery.shadowRoot!.querySelector<LsFileImage>('ls-file-image')!;
    const tileImg = tile.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!;
    const box = tile.getBoundingClientRect();
    const side = Math.max(box.width, box.height) * devicePixelRatio;
    // Decoded for the tile: sharp in it, a small share of the photo's pixels.
    expect(Math.min(tileImg.naturalWidth, tileImg.naturalHeight)).to.be.at.least(side - 1);
    expect(tileImg.naturalWidth).to.be.below(1600 / 2);
    // Turned as its EXIF says: portrait, the red corner now at the top right.
    expect(tileImg.naturalHeight).to.be.above(tileImg.naturalWidth);
    const [r, g] = colourAt(tileImg, 0.95, 0.05);
    expect(r).to.be.above(200);
    expect(g).to.be.below(60);
    expect(colourAt(tileImg, 0.05, 0.05)[0]).not.to.equal(r);

    // Made larger, it is decoded again for its new size; where nothing sizes it, it takes the room of the
    // whole photo and shows all of its pixels.
    const wide = Object.assign(document.createElement('div'), { style: 'width: 2000px' });
    const bare = Object.assign(document.createElement('ls-file-image'), { fileId: saved!.id, loading: 'eager' });
    bare.style.width = '100px';
    wide.append(bare);
    provider.append(wide);
    await until(() => bare.getAttribute('status') === 'ready', 'the small image');
    const shown = () => bare.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!.naturalWidth;
    expect(shown()).to.be.within(100, 400);
    expect(bare.getBoundingClientRect().height, 'as tall as the photo at that width').to.equal(150);
    // The widths it takes from then on (an image with nothing loaded yet has none).
    const widths: number[] = [];
    const sizes = new ResizeObserver(([entry]) => {
      if (entry!.contentRect.width > 0) widths.push(entry!.contentRect.width);
    });
    sizes.observe(bare);
    bare.style.width = '';
    await until(() => shown() === 1600, 'the whole photo');
    const bareBox = bare.getBoundingClientRect();
    expect([bareBox.width, bareBox.height]).to.deep.equal([1600, 2400]);
    // Straight to the photo's size, and kept while the whole photo loads: no steps through smaller sizes.
    sizes.disconnect();
    expect(widths.filter((width) => width !== 100)).to.deep.equal([1600]);

    // Described for other devices from a decode at an eighth: its size as shown (turned), and a preview
    // with the red corner at the top right.
    const sync = await provider.ready;
    await until(() => sync.file(saved!.id)?.preview != null, 'the preview');
    const described = sync.file(saved!.id)!;
    expect([described.width, described.height]).to.deep.equal([1600, 2400]);
    const preview = Object.assign(new Image(), { src: described.preview! });
    await preview.decode();
    expect([preview.naturalWidth, preview.naturalHeight]).to.deep.equal([11, 16]);
    expect(colourAt(preview, 0.9, 0.1)[0]).to.be.above(150);
  });
});

describe('<ls-file-image> on a denser screen', () => {
  it('decodes a scaled photo again when the device pixel ratio grows (a zoom, another screen), so it stays sharp', async () => {
    const { provider, upload } = await mountKit();
    const [saved] = await upload.addFiles([await turnedPhoto(2400, 1600)]);
    // A box of a fixed size in CSS pixels: a change of ratio does not resize it, so no ResizeObserver fires.
    const image = Object.assign(document.createElement('ls-file-image'), { fileId: saved!.id, loading: 'eager' });
    image.style.width = '100px';
    provider.append(image);
    await until(() => image.getAttribute('status') === 'ready', 'the photo');
    const decoded = () => {
      const img = image.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!;
      return Math.min(img.naturalWidth, img.naturalHeight);
    };
    const deviceSide = () => Math.max(image.getBoundingClientRect().width, image.getBoundingClientRect().height) * devicePixelRatio;
    expect(devicePixelRatio).to.equal(1);
    expect(decoded()).to.be.within(deviceSide() - 1, 2 * deviceSide());
    const cssBox = image.getBoundingClientRect();
    try {
      // Chromium's emulation re-evaluates media queries only when the viewport's size changes too (a real
      // zoom changes both): a pixel narrower, which the fixed box does not follow.
      await executeServerCommand('device-scale', { scale: 3, width: innerWidth - 1, height: innerHeight });
      expect(devicePixelRatio).to.equal(3);
      expect(image.getBoundingClientRect().width).to.equal(cssBox.width);
      await until(() => decoded() >= deviceSide() - 1, 'a decode for three device pixels per CSS pixel');
      expect(decoded()).to.be.below(1600);
      expect(image.getAttribute('status')).to.equal('ready');
    } finally {
      await executeServerCommand('device-scale', {});
    }
  });
});

describe('<ls-file-image> photos from another device', () => {
  it('downloads another device’s photo and shows it in the tile decoded at the tile’s size, upright', async () => {
    const storeId = uniqueStoreId('photo');
    const other = await openOtherDevice(storeId, 'camera');
    try {
      const saved = await other.saveFile(await turnedPhoto(2400, 1600));
      await until(() => other.file(saved.id)?.state.kind === 'synced', 'the photo uploaded by the other device', 60_000);
      const { gallery } = await mountKit(storeId);
      const tile = () => gallery.shadowRoot!.querySelector<LsFileImage>(`[data-file-id="${saved.id}"] ls-file-image`);
      await until(() => tile()?.getAttribute('status') === 'ready', 'the downloaded photo', 60_000);
      const img = tile()!.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!;
      expect(img.naturalWidth).to.be.below(1600 / 2);
      expect(img.naturalHeight).to.be.above(img.naturalWidth);
      expect(colourAt(img, 0.95, 0.05)[0]).to.be.above(200);
    } finally {
      await other.close();
    }
  });
});

describe('<ls-file-image> photos in numbers', () => {
  it('shows every photo of a drop of eight, each decoded at its tile’s size (three decodes at a time), and describes each for other devices', async () => {
    const { provider, upload, gallery } = await mountKit();
    const photos = await Promise.all(Array.from({ length: 8 }, () => turnedPhoto(2400, 1600)));
    const saved = await upload.addFiles(photos.map((photo, i) => new File([photo], `photo-${i}.jpg`, { type: 'image/jpeg' })));
    const tiles = () => [...gallery.shadowRoot!.querySelectorAll<LsFileImage>('ls-file-image')];
    await until(() => tiles().length === 8 && tiles().every((tile) => tile.getAttribute('status') === 'ready'), 'all eight photos');
    const widths = tiles().map((tile) => tile.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!.naturalWidth);
    expect(widths.every((width) => width > 0 && width < 1600 / 2), `decoded widths ${widths}`).to.equal(true);
    // Described one after another (a second after each was saved): every one, upright.
    const described = () => saved.map((view) => provider.sync!.file(view.id)).filter((view) => view?.width === 1600 && view.height === 2400);
    await until(() => described().length === 8, 'all eight described');
  });
});

describe('<ls-file-gallery> with many files', () => {
  const frames = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
  };

  it('keeps only the tiles near the viewport in the document, each where it would be among all, and follows the scroll to the end', async () => {
    // Offline on purpose (a closed port): 300 uploads would only slow the test.
    const { provider, gallery } = await mountKit(uniqueStoreId('many'), 'http://127.0.0.1:9');
    const saved = await provider.sync!.saveFiles(Array.from({ length: 300 }, (_, i) => new File([`note ${i}`], `note-${i}.txt`, { type: 'text/plain' })));
    expect(saved.every((result) => result.ok)).to.equal(true);
    await until(() => gallery.getAttribute('count') === '300', 'all 300 files listed');
    const order = provider.sync!.files.get().map((view) => view.name);
    const root = gallery.shadowRoot!;
    const grid = root.querySelector<HTMLElement>('[part=base]')!;
    const tiles = () => [...root.querySelectorAll<HTMLElement>('[part=item]')];
    const columns = getComputedStyle(grid).gridTemplateColumns.split(' ').length;
    /** Every tile rendered sits where it would with all 300 rendered: its row's place from the top of the first row. */
    const checkPlaces = () => {
      const rendered = tiles();
      const [a, b] = [rendered[0]!, rendered[columns]!];
      const stride = b.getBoundingClientRect().top - a.getBoundingClientRect().top;
      const origin = a.getBoundingClientRect().top - Math.floor((Number(a.getAttribute('aria-posinset')) - 1) / columns) * stride;
      expect(grid.parentElement!.getBoundingClientRect().top, 'the first row at the top of the gallery').to.be.closeTo(origin, 1);
      for (const tile of rendered) {
        const index = Number(tile.getAttribute('aria-posinset')) - 1;
        expect(tile.getAttribute('aria-setsize')).to.equal('300');
        expect(tile.querySelector('[part=name]')!.textContent, `tile ${index + 1}`).to.equal(order[index]);
        expect(tile.getBoundingClientRect().top - origin, `tile ${index + 1}`).to.be.closeTo(Math.floor(index / columns) * stride, 1);
      }
      const rows = Math.ceil(300 / columns);
      const gap = stride - a.getBoundingClientRect().height;
      expect(grid.parentElement!.getBoundingClientRect().height, 'the room of all 300').to.be.closeTo(rows * stride - gap, 1);
    };
    await frames(10);
    expect(tiles().length, 'tiles in the document').to.be.within(columns, 100);
    checkPlaces();

    scrollTo(0, document.documentElement.scrollHeight);
    const last = () => root.querySelector<HTMLElement>('[part=item][aria-posinset="300"]');
    await until(() => last() !== null, 'the last tile once scrolled to the end');
    await frames(10);
    const { top, bottom } = last()!.getBoundingClientRect();
    expect(top >= 0 && bottom <= innerHeight, `the last tile on screen (${top}-${bottom} of ${innerHeight})`).to.equal(true);
    expect(tiles().length, 'tiles in the document').to.be.within(columns, 100);
    checkPlaces();
    scrollTo(0, 0);
  });

  it('lets the keyboard reach every tile: tabbing on from the last tile rendered renders the next', async () => {
    const { provider, gallery } = await mountKit(uniqueStoreId('keys'), 'http://127.0.0.1:9');
    await provider.sync!.saveFiles(Array.from({ length: 80 }, (_, i) => new File([`note ${i}`], `note-${i}.txt`, { type: 'text/plain' })));
    await until(() => gallery.getAttribute('count') === '80', 'all 80 files listed');
    await frames(10);
    const root = gallery.shadowRoot!;
    expect(root.querySelectorAll('[part=item]').length, 'not all tiles rendered at first').to.be.below(80);
    root.querySelector<HTMLButtonElement>('[part=item] button')!.focus();
    const reached = new Set<string>();
    for (let i = 0; i < 200 && reached.size < 80; i++) {
      const tile = root.activeElement?.closest('[part=item]');
      if (!tile) break;
      reached.add(tile.getAttribute('aria-posinset')!);
      await sendKeys({ press: 'Tab' });
      await frames(2);
    }
    expect(reached.size, 'tiles whose buttons took focus in turn').to.equal(80);
    scrollTo(0, 0);
  });

  it('keeps every tile of a short gallery on screen while files are added: the oldest does not leave for a frame when a new one pushes it on', async () => {
    const { provider, gallery } = await mountKit(uniqueStoreId('grow'), 'http://127.0.0.1:9');
    const root = gallery.shadowRoot!;
    const save = (i: number) => provider.sync!.saveFiles([new File([`note ${i}`], `note-${i}.txt`, { type: 'text/plain' })]);
    await save(0);
    await until(() => gallery.getAttribute('count') === '1', 'the first file listed');
    await frames(3);
    const columns = getComputedStyle(root.querySelector('[part=base]')!).gridTemplateColumns.split(' ').length;
    // What each render after a change to the files showed, before any frame could measure again.
    const renders: Array<{ files: number; tiles: number }> = [];
    const stop = provider.sync!.files.subscribe(async () => {
      // A microtask on, the gallery has heard of the change too, whichever listener ran first.
      await Promise.resolve();
      await gallery.updateComplete;
      renders.push({ files: Number(gallery.getAttribute('count')), tiles: root.querySelectorAll('[part=item]').length });
    });
    // One file more than fills a row, a frame or two apart as a user drops them.
    for (let i = 1; i <= columns; i++) {
      await save(i);
      await until(() => gallery.getAttribute('count') === String(i + 1), `file ${i + 1} listed`);
      await frames(2);
    }
    stop();
    expect(renders.filter((r) => r.files > 1).length, 'renders seen').to.be.above(0);
    for (const { files, tiles } of renders) expect(tiles, `tiles with ${files} files`).to.equal(files);
  });
});

describe('<ls-file-image loading>', () => {
  it('lazy: a local image far below the fold is read only once scrolled near; eager: at once', async () => {
    const { provider, upload } = await mountKit();
    const [saved] = await upload.addFiles([await pngFile('far.png')]);
    const page = document.createElement('div');
    page.innerHTML = `<div style="height: 5000px"></div>
      <ls-file-image file-id="${saved!.id}" style="width: 40px"></ls-file-image>
      <ls-file-image file-id="${saved!.id}" loading="eager" style="width: 40px"></ls-file-image>`;
    provider.append(page);
    const [lazy, eager] = page.querySelectorAll<LsFileImage>('ls-file-image');
    await until(() => eager!.getAttribute('status') === 'ready', 'the eager image');
    expect(lazy!.getAttribute('status'), 'the lazy image off screen is not read yet').to.equal('loading');
    expect(lazy!.shadowRoot!.querySelector('img[part=image]')).to.equal(null);
    lazy!.scrollIntoView();
    await until(() => lazy!.getAttribute('status') === 'ready', 'the lazy image once near the viewport');
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
    const { sync: second } = (await reopened).detail;
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
