import { expect } from '@open-wc/testing';
import { jpegSize, scaledJpeg } from '../../src/core/images/scaled-image.js';
import { decodesScaled } from './helpers.js';

async function jpeg(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#08f';
  ctx.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/jpeg' });
}

describe('scaled JPEG decoding (src/core/scaled-image.ts)', () => {
  it('reads a JPEG’s size from its frame header, past the segments before it, and nothing from other bytes', async () => {
    const plain = new Uint8Array(await (await jpeg(640, 480)).arrayBuffer());
    // A 40 KB comment segment (COM) before the frame header, as cameras put EXIF thumbnails there.
    const comment = new Uint8Array(2 + 2 + 40_000).fill(0x20);
    comment.set([0xff, 0xfe, (40_002 >> 8) & 0xff, 40_002 & 0xff]);
    const padded = new Blob([plain.subarray(0, 2), comment, plain.subarray(2)], { type: 'image/jpeg' });
    expect(await jpegSize(padded)).to.deep.equal({ width: 640, height: 480 });
    const canvas = new OffscreenCanvas(4, 4);
    canvas.getContext('2d')!.fillRect(0, 0, 4, 4);
    const png = await canvas.convertToBlob({ type: 'image/png' });
    expect(await jpegSize(png)).to.equal(undefined);
    expect(await jpegSize(new Blob([new Uint8Array([0xff, 0xd8, 0x00, 0x01, 0x02])]))).to.equal(undefined);
  });

  it('decodes at a fraction covering a box far smaller than the image, and not at all for a box over half its size', async function () {
    if (!decodesScaled) this.skip();
    const photo = await jpeg(1600, 1200);
    const small = await scaledJpeg(photo, { width: 150, height: 150 });
    // An eighth of the image's size at a time (here a quarter): no less than the box, far less than the whole.
    expect(small!.canvas.height).to.be.at.least(150);
    expect(small!.canvas.width / small!.canvas.height).to.equal(4 / 3);
    expect(small!.canvas.width).to.be.at.most(1600 / 4);
    expect(small!.natural).to.deep.equal({ width: 1600, height: 1200 });
    expect(await scaledJpeg(photo, { width: 900, height: 600 })).to.equal(undefined);
  });

  it('never throws on a JPEG whose header is sound and whose data is not: it gives up where the browser cannot decode it, and is then shown as it is', async () => {
    const header = new Uint8Array(await (await jpeg(1600, 1200)).arrayBuffer()).subarray(0, 700);
    const damaged = new Blob([header, crypto.getRandomValues(new Uint8Array(60_000))], { type: 'image/jpeg' });
    expect(await jpegSize(damaged)).to.deep.equal({ width: 1600, height: 1200 });
    // Chromium's decoder refuses such data (the kit then shows the file as it is), Firefox's decodes what it can.
    const scaled = await scaledJpeg(damaged, { width: 100, height: 100 });
    if (scaled !== undefined) expect(scaled.canvas.width, 'decoded small').to.be.at.most(1600 / 4);
  });

  it('turns a JPEG as its EXIF orientation says, in its own shape, in every engine', async function () {
    if (!decodesScaled) this.skip();
    const canvas = new OffscreenCanvas(1600, 1200);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#00f';
    ctx.fillRect(0, 0, 1600, 1200);
    ctx.fillStyle = '#f00';
    ctx.fillRect(0, 0, 400, 300);
    const plain = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg' })).arrayBuffer());
    // Orientation 6: the stored image is to be turned a quarter clockwise; its red top-left corner goes top right.
    const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
    const exif = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    const turned = new Blob([plain.subarray(0, 2), new Uint8Array([0xff, 0xe1, 0, exif.length + 2, ...exif]), plain.subarray(2)], { type: 'image/jpeg' });
    const scaled = await scaledJpeg(turned, { width: 150, height: 150 });
    expect(scaled?.natural).to.deep.equal({ width: 1200, height: 1600 });
    const { canvas: shown } = scaled!;
    // Firefox's decoder squeezed a turned photo into the stored image's shape when asked for that.
    expect(shown.width / shown.height).to.be.closeTo(3 / 4, 0.01);
    const pixel = (x: number, y: number) => [...shown.getContext('2d')!.getImageData(Math.floor(x * shown.width), Math.floor(y * shown.height), 1, 1).data];
    expect(pixel(0.95, 0.05)[0], 'red at the top right').to.be.above(200);
    expect(pixel(0.05, 0.05)[0], 'blue at the top left').to.be.below(60);
  });
});
