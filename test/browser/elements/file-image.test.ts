import { expect, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { LsFileImage } from '../../../src/elements/index.js';
import { decodesScaled, holdSaves, openOtherDevice, runnerDrivesInput, uniqueStoreId } from '../helpers.js';
import { pngFile, until, mountKit, turnedPhoto, colourAt } from './kit.js';

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

describe('<ls-file-image> while saving', () => {
  it('shows a dropped photo before its save ends (the save held up on purpose: a stalled disk), and keeps showing it once saved', async () => {
    const { provider, upload, gallery } = await mountKit();
    const sync = await provider.ready;
    const disk = holdSaves(sync);
    const adding = upload.addFiles([await pngFile('held.png')]);

    const item = () => gallery.shadowRoot!.querySelector<HTMLElement>('[data-file-id]');
    await until(() => item()?.querySelector('ls-file-image')?.getAttribute('status') === 'ready', 'the photo shown while it is saved');
    expect(item()!.dataset.state).to.equal('saving');
    expect(item()!.querySelector('[part=state]')!.textContent).to.match(/saving/i);
    expect(upload.value, 'the control holds files once saved').to.deep.equal([]);

    disk.release();
    const [saved] = await adding;
    expect(saved!.id).to.equal(item()!.dataset.fileId);
    await until(() => item()?.dataset.state !== 'saving', 'the saved file’s record');
    expect(item()!.querySelector('ls-file-image')!.getAttribute('status'), 'still shown').to.equal('ready');
    expect(upload.value).to.deep.equal([saved!.id]);
  });
});

describe('<ls-file-image> before the save', () => {
  it('paints a dropped photo before its save begins, then saves it', async () => {
    const { provider, upload, gallery } = await mountKit();
    const sync = await provider.ready;
    // Watched, not changed: when the save writes, and when the photo is shown.
    const events: string[] = [];
    const writeBlob = sync.local.writeBlob.bind(sync.local);
    Object.assign(sync.local, { writeBlob: (id: string, blob: Blob) => (events.push('write'), writeBlob(id, blob)) });
    gallery.addEventListener('ls-load', () => events.push('shown'), { once: true });

    const [saved] = await upload.addFiles([await turnedPhoto(1200, 800)]);
    expect(events).to.deep.equal(['shown', 'write']);
    expect(saved!.local).to.equal(true);
    const image = gallery.shadowRoot!.querySelector<LsFileImage>('ls-file-image')!;
    expect(image.getAttribute('status')).to.equal('ready');
  });

  it('saves a dropped file whose display never ends (held on purpose: a page that never paints it) all the same, half a second later', async () => {
    const { provider } = await mountKit();
    const sync = await provider.ready;
    let started: number | undefined;
    const writeBlob = sync.local.writeBlob.bind(sync.local);
    Object.assign(sync.local, { writeBlob: (id: string, blob: Blob) => ((started ??= performance.now()), writeBlob(id, blob)) });
    // Held within the task that starts the save, as an element showing it does, and never let go.
    const stop = sync.files.subscribe((files) => {
      for (const file of files) if (file.state.kind === 'saving') sync.holdSaveForDisplay(file.id);
    });
    const t0 = performance.now();
    try {
      const saved = await sync.saveFile(new File(['a note'], 'note.txt', { type: 'text/plain' }));
      expect(saved.local).to.equal(true);
      expect(await (await sync.getFile(saved.id))!.text()).to.equal('a note');
      expect(started! - t0, 'the save waited for the display').to.be.at.least(450);
    } finally {
      stop();
    }
  });
});

describe('<ls-file-image> sizes', () => {
  it('shows a large photo in a small tile decoded at the tile’s size, upright, and whole where nothing sizes it', async function () {
    if (!decodesScaled) this.skip();
    const { provider, upload, gallery } = await mountKit();
    const [saved] = await upload.addFiles([await turnedPhoto(2400, 1600)]);
    expect(saved!.size).to.be.above(256 * 1024);

    await until(() => gallery.shadowRoot!.querySelector('ls-file-image')?.getAttribute('status') === 'ready', 'the tile');
    const tile = gallery.shadowRoot!.querySelector<LsFileImage>('ls-file-image')!;
    // Shown whole while it was saved, it is decoded at the tile's size once saved and the page idle.
    const tileImage = () => tile.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!;
    await until(() => tileImage().naturalWidth > 0 && tileImage().naturalWidth < 1600 / 2, 'the photo decoded at the tile’s size');
    const tileImg = tileImage();
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
  it('decodes a scaled photo again when the device pixel ratio grows (a zoom, another screen), so it stays sharp', async function () {
    if (!decodesScaled || !runnerDrivesInput) this.skip();
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
  it('downloads another device’s photo and shows it in the tile decoded at the tile’s size, upright', async function () {
    if (!decodesScaled) this.skip();
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
  it('shows every photo of a drop of eight, each decoded at its tile’s size (three decodes at a time), and describes each for other devices', async function () {
    if (!decodesScaled) this.skip();
    const { provider, upload, gallery } = await mountKit();
    const photos = await Promise.all(Array.from({ length: 8 }, () => turnedPhoto(2400, 1600)));
    const saved = await upload.addFiles(photos.map((photo, i) => new File([photo], `photo-${i}.jpg`, { type: 'image/jpeg' })));
    const tiles = () => [...gallery.shadowRoot!.querySelectorAll<LsFileImage>('ls-file-image')];
    await until(() => tiles().length === 8 && tiles().every((tile) => tile.getAttribute('status') === 'ready'), 'all eight photos');
    // Shown whole while they were saved, each is decoded at its tile's size once saved and the page idle.
    const widths = () => tiles().map((tile) => tile.shadowRoot!.querySelector<HTMLImageElement>('img[part=image]')!.naturalWidth);
    await until(() => widths().every((width) => width > 0 && width < 1600 / 2), 'every photo decoded at its tile’s size');
    // Described one after another (a second after each was saved): every one, upright.
    const described = () => saved.map((view) => provider.sync!.file(view.id)).filter((view) => view?.width === 1600 && view.height === 2400);
    await until(() => described().length === 8, 'all eight described');
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
