/**
 * A large JPEG drawn in a small box, decoded at the box's size. A browser decodes an `<img>` whole whatever
 * size it is drawn at: a 6.75-megapixel photo in a 200-pixel tile costs a 27 MB bitmap and 80-130 ms of
 * decoding here, each time it is shown. A JPEG can be decoded at an eighth, a quarter… of its size without
 * decoding the rest (its blocks are scaled in the frequency domain), which WebCodecs' `ImageDecoder` does
 * when given a desired size: 45-55 ms for the same photo at an eighth, in a probe, off the main thread.
 */

/** A JPEG's frame header comes after its metadata segments: EXIF (with its thumbnail) and ICC profiles. */
const HEADER_BYTES = 256 * 1024;

/** Images drawn at more than this share of their size are decoded whole: decoding them smaller gains little. */
const MAX_SCALE = 0.5;

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface ScaledImage {
  /** The image as decoded, re-encoded small (a JPEG of a few tens of KB), rotated as its EXIF says. */
  readonly blob: Blob;
  /** The size it was decoded at, as displayed. */
  readonly decoded: Size;
  /** The image's own size, as displayed (EXIF rotation applied): what lays it out where nothing sizes it. */
  readonly natural: Size;
}

/** The size a JPEG's frame header declares (before any EXIF rotation), if it is within its first bytes. */
export async function jpegSize(blob: Blob): Promise<Size | undefined> {
  const view = new DataView(await blob.slice(0, HEADER_BYTES).arrayBuffer());
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return undefined;
  for (let at = 2; at + 9 <= view.byteLength; ) {
    if (view.getUint8(at) !== 0xff) return undefined;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0-SOF15 carry the size; C4, C8 and CC in that range are other segments.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}

/**
 * `blob` decoded at no less than what covering `box` (in device pixels) needs, or undefined when it is not
 * a JPEG this browser can decode so, or not at least twice the box's size: then it is shown as it is.
 */
export async function scaledJpeg(blob: Blob, box: Size): Promise<ScaledImage | undefined> {
  if (typeof ImageDecoder !== 'function' || typeof OffscreenCanvas !== 'function' || Math.max(box.width, box.height) < 1) return undefined;
  const size = await jpegSize(blob);
  if (size === undefined || size.width < 1 || size.height < 1) return undefined;
  // Its EXIF rotation is known only once decoded: the scale asked for covers the box either way.
  const scale = Math.max(box.width, box.height) / Math.min(size.width, size.height);
  if (scale > MAX_SCALE) return undefined;
  const needed = { width: size.width * scale, height: size.height * scale };
  // Chromium decodes at the largest eighth whose pixels fit in the desired size's: asking for twice each
  // side gets at least what is needed.
  const decoder = new ImageDecoder({ data: blob.stream(), type: 'image/jpeg', desiredWidth: Math.ceil(needed.width * 2), desiredHeight: Math.ceil(needed.height * 2) });
  try {
    const { image } = await decoder.decode();
    try {
      const decoded = { width: image.displayWidth, height: image.displayHeight };
      const rotated = 'rotation' in image && typeof image.rotation === 'number' ? image.rotation % 180 !== 0 : decoded.width > decoded.height !== size.width > size.height;
      const natural = rotated ? { width: size.height, height: size.width } : size;
      if (Math.min(decoded.width, decoded.height) < Math.min(needed.width, needed.height) - 1) return undefined;
      const canvas = new OffscreenCanvas(decoded.width, decoded.height);
      const context = canvas.getContext('2d');
      if (context === null) return undefined;
      context.drawImage(image, 0, 0);
      return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 }), decoded, natural };
    } finally {
      image.close();
    }
  } catch {
    // Not decodable so (a progressive JPEG this decoder will not scale, a damaged one): shown as it is.
    return undefined;
  } finally {
    decoder.close();
  }
}
