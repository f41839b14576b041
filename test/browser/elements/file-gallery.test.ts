import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { runnerDrivesInput, uniqueStoreId } from '../helpers.js';
import { pngFile, until, mountKit } from './kit.js';

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

  it('lets the keyboard reach every tile: tabbing on from the last tile rendered renders the next', async function () {
    if (!runnerDrivesInput) this.skip();
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
