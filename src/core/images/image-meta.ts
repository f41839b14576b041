import { scaledJpeg } from './scaled-image.js';

/**
 * What peers need to show an image before its bytes arrive: its dimensions (to reserve its box, so nothing
 * shifts when it loads) and a tiny preview (a 16-pixel JPEG, a few hundred bytes) to blur in its place.
 * Computed once when the file is saved, carried in the synced record. Works in pages and workers.
 */
export interface ImageMeta {
  readonly width: number;
  readonly height: number;
  /** A `data:image/jpeg;base64,…` URL of at most 16×16 pixels. */
  readonly preview: string;
}

const PREVIEW_SIDE = 16;
/** Larger images are not decoded just for a preview: decoding costs memory in proportion to the pixels. */
const MAX_DECODE_BYTES = 64 * 1024 * 1024;

export async function imageMeta(blob: Blob): Promise<ImageMeta | undefined> {
  if (!blob.type.startsWith('image/') || blob.type === 'image/svg+xml' || blob.size > MAX_DECODE_BYTES) return undefined;
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return undefined;
  let bitmap: ImageBitmap | undefined;
  try {
    // A photo is decoded at an eighth of its size where it can be: a preview needs no more.
    const scaled = blob.type === 'image/jpeg' ? await scaledJpeg(blob, { width: PREVIEW_SIDE, height: PREVIEW_SIDE }) : undefined;
    const source = scaled?.canvas ?? (bitmap = await createImageBitmap(blob));
    const { width, height } = scaled?.natural ?? source;
    const scale = PREVIEW_SIDE / Math.max(width, height, 1);
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)));
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const preview = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.6 });
    return { width, height, preview: await dataUrl(preview) };
  } catch {
    // Not decodable here (a format this browser lacks, a corrupt file): the file is still saved.
    return undefined;
  } finally {
    bitmap?.close();
  }
}

async function dataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:${blob.type};base64,${btoa(binary)}`;
}
