/**
 * A large JPEG decoded at the size it is needed at. A browser decodes an image whole whatever size it is
 * drawn at: a 6.75-megapixel photo in a 200-pixel tile, or made into a 16-pixel preview, costs a 27 MB
 * bitmap and 80-130 ms of decoding here. A JPEG can be decoded at an eighth, a quarter… of its size without
 * decoding the rest (its blocks are scaled in the frequency domain), which WebCodecs' `ImageDecoder` does
 * when given a desired size: 45-55 ms for the same photo at an eighth, in a probe, off the main thread.
 * Works in pages and workers.
 */

/** A JPEG's frame header comes after its metadata segments: EXIF (with its thumbnail) and ICC profiles. */
const HEADER_BYTES = 256 * 1024;

/** Images drawn at more than this share of their size are decoded whole: decoding them smaller gains little. */
const MAX_SCALE = 0.5;

/**
 * Decodes under way at once, page- or worker-wide: each holds its file's bytes in memory while it runs, and a
 * screen of photos coming into view would otherwise read them all at the same time.
 */
const MAX_DECODING = 3;
let decoding = 0;
const waiting: (() => void)[] = [];

/** Waits for a turn to decode; the function it resolves with ends the turn and hands it to the next. */
async function turn(): Promise<() => void> {
  if (decoding < MAX_DECODING) decoding++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  return () => {
    const next = waiting.shift();
    if (next === undefined) decoding--;
    else next();
  };
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface ScaledImage {
  /** The image as decoded, turned as its EXIF says; its size is the decoded size. */
  readonly canvas: OffscreenCanvas;
  /** The image's own size, as displayed (EXIF rotation applied). */
  readonly natural: Size;
}

/** What a JPEG's first bytes say: its frame's size (before any EXIF rotation) and its EXIF orientation (1 to 8). */
interface JpegHeader {
  readonly size: Size;
  readonly orientation: number;
}

/** The size a JPEG's frame header declares (before any EXIF rotation), if it is within its first bytes. */
export async function jpegSize(blob: Blob): Promise<Size | undefined> {
  return (await jpegHeader(blob))?.size;
}

async function jpegHeader(blob: Blob): Promise<JpegHeader | undefined> {
  const view = new DataView(await blob.slice(0, HEADER_BYTES).arrayBuffer());
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return undefined;
  let orientation = 1;
  for (let at = 2; at + 9 <= view.byteLength; ) {
    if (view.getUint8(at) !== 0xff) return undefined;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0-SOF15 carry the size; C4, C8 and CC in that range are other segments.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { size: { height: view.getUint16(at + 5), width: view.getUint16(at + 7) }, orientation };
    }
    const length = view.getUint16(at + 2);
    if (marker === 0xe1) orientation = exifOrientation(view, at + 4, Math.min(view.byteLength, at + 2 + length)) ?? orientation;
    at += 2 + length;
  }
  return undefined;
}

/** The orientation tag (0x0112) of an APP1 segment's EXIF data between `start` and `end`, if it is one. */
function exifOrientation(view: DataView, start: number, end: number): number | undefined {
  // "Exif\0\0", then a TIFF header: its byte order, 42, and the offset of the first IFD.
  if (end - start < 14 || view.getUint32(start) !== 0x45786966 || view.getUint16(start + 4) !== 0) return undefined;
  const tiff = start + 6;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return undefined;
  const entries = view.getUint16(ifd, little);
  for (let i = 0, entry = ifd + 2; i < entries && entry + 12 <= end; i++, entry += 12) {
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}

/**
 * `blob` decoded at no less than what covering `box` (in pixels) needs, or undefined when it is not a JPEG
 * this browser can decode so, or not at least twice the box's size: then it is best decoded whole.
 */
export async function scaledJpeg(blob: Blob, box: Size): Promise<ScaledImage | undefined> {
  const header = typeof ImageDecoder === 'function' ? await jpegHeader(blob) : undefined;
  if (header === undefined) return undefined;
  const { size } = header;
  // Its EXIF rotation is known only once decoded: the scale asked for covers the box either way.
  const scale = Math.max(box.width, box.height) / Math.min(size.width, size.height);
  if (!(scale > 0 && scale <= MAX_SCALE)) return undefined;
  // Read whole rather than streamed: a stream hands the decoder each 64 KiB chunk in a task of the main
  // thread, each waiting its turn behind what the page does just after a save (reading and decoding took
  // 120-170 ms so in a probe of the local display case, 100-120 read whole first). Chromium decodes at
  // the largest eighth of the image whose pixels fit in the desired size's: asking for twice each side
  // gets at least the box's.
  const done = await turn();
  let decoder: ImageDecoder | undefined;
  try {
    const data = await blob.arrayBuffer();
    // Named as the image is displayed (turned by its EXIF): Firefox's decoder gives exactly that size, turned;
    // asked for the stored image's size, it squeezed a turned photo into the wrong shape.
    const sideways = header.orientation >= 5;
    const [width, height] = sideways ? [size.height, size.width] : [size.width, size.height];
    const desired = { desiredWidth: Math.ceil(width * scale * 2), desiredHeight: Math.ceil(height * scale * 2) };
    decoder = new ImageDecoder({ data, transfer: [data], type: 'image/jpeg', ...desired });
    const { image } = await decoder.decode();
    const canvas = new OffscreenCanvas(image.displayWidth, image.displayHeight);
    try {
      canvas.getContext('2d')?.drawImage(image, 0, 0);
    } finally {
      image.close();
    }
    // Turned by its EXIF (displayed sides swapped): the layout size turns with it.
    const turned = canvas.width > canvas.height !== size.width > size.height;
    return { canvas, natural: turned ? { width: size.height, height: size.width } : size };
  } catch {
    // Not decodable so (a damaged file, a kind of JPEG this decoder refuses): shown as it is.
    return undefined;
  } finally {
    decoder?.close();
    done();
  }
}
