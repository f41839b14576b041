/**
 * Reading a Blob for a save or a hash in whole content-hash blocks, into one buffer read into again and
 * again. A Blob's stream read chunk by chunk hands over new buffers of 64 KiB to 2 MiB in Chromium and the
 * whole Blob as one chunk in Firefox (256 MiB at once for a 256 MiB file); read into a buffer of its own
 * ("bring your own buffer", at least a block per read), it reads several times faster in both, allocates
 * nothing per chunk, and each chunk is a whole block the hash digests as it is (bench/README.md, "save path").
 */
import type { ChunkReader } from './file-storage.js';
import { CONTENT_BLOCK_SIZE, feedReader } from './hash.js';

/** `read` with the minimum byte count (Streams standard, 2024): not yet in every browser, nor in the DOM types. */
interface BlockRead {
  read(view: Uint8Array<ArrayBuffer>, options: { min: number }): Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>>;
}

/**
 * Reads `blob` in chunks of `blockSize` bytes (the last one shorter). Each chunk is valid only until the
 * next `read`: for a reader that copies what it keeps (a sync access handle's write, a digest). A browser
 * whose Blob stream is not a byte stream gives its chunks as they come; one that does not know `min` may
 * give shorter ones: either way the bytes are the same.
 */
export function readInBlocks(blob: Blob, blockSize = CONTENT_BLOCK_SIZE): ChunkReader {
  const stream = blob.stream() as ReadableStream<Uint8Array<ArrayBuffer>>;
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: 'byob' });
  } catch {
    return stream.getReader();
  }
  let buffer = new ArrayBuffer(Math.min(blockSize, Math.max(blob.size, 1)));
  let ended = false;
  return {
    async read() {
      if (ended) return { done: true, value: undefined };
      const wanted = buffer.byteLength;
      const result = await (reader as unknown as BlockRead).read(new Uint8Array(buffer), { min: wanted });
      if (result.done) {
        ended = true;
        // The last bytes, fewer than a block, come with the end of the stream (Streams standard).
        const rest = result.value as Uint8Array<ArrayBuffer> | undefined;
        return rest !== undefined && rest.byteLength > 0 ? { done: false, value: rest } : { done: true, value: undefined };
      }
      // The read took the buffer over and gives it back under a new name.
      buffer = result.value.buffer;
      return result;
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

/** The content hash of a blob, read in blocks (never whole). */
export const hashBlob = async (blob: Blob): Promise<string> => (await feedReader(readInBlocks(blob))).digest();
