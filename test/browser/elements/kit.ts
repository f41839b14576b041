/** What the element tests share: a kit mounted in a form, test images, and a bounded wait. */
import { fixture, html } from '@open-wc/testing';
// Defines every element (the tests use them by tag).
import '../../../src/elements/index.js';
import type { LsFileGallery, LsFileSync, LsFileUpload, LsSyncStatus } from '../../../src/elements/index.js';
import { backendUrl, devToken, uniqueStoreId } from '../helpers.js';

/** A tiny valid PNG (4x4, red), made with a canvas so it decodes in an <img>. */
export async function pngFile(name = 'red.png'): Promise<File> {
  const canvas = new OffscreenCanvas(4, 4);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#f00';
  ctx.fillRect(0, 0, 4, 4);
  return new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
}

export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function mountKit(storeId = uniqueStoreId('el'), endpoint?: string, storage: 'auto' | 'memory' = 'auto') {
  const root = await fixture<HTMLFormElement>(html`
    <form>
      <ls-file-sync endpoint=${endpoint ?? (await backendUrl())} store-id=${storeId} token=${await devToken(storeId)} storage=${storage}>
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

/**
 * A photo of noise (it does not compress: a large file) with a red square in its top-left corner, marked
 * by EXIF as taken with the camera turned (orientation 6: shown turned a quarter clockwise).
 */
export async function turnedPhoto(width: number, height: number): Promise<File> {
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
export function colourAt(img: HTMLImageElement, x: number, y: number): [number, number, number] {
  const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const [r, g, b] = ctx.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data;
  return [r!, g!, b!];
}
