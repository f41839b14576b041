/**
 * The content hash that names a file's bytes (its remote key, its versions, every integrity check): SHA-256
 * over the concatenated SHA-256 digests of its 4 MiB blocks, the scheme of Dropbox's `content_hash`.
 *
 * Why not a plain SHA-256 of the whole file: WebCrypto has no incremental digest, so a plain SHA-256 of a
 * file larger than memory needs a hash written in JavaScript or WebAssembly, which cannot use the CPU's SHA
 * instructions and runs on the calling thread (hash-wasm did about 250 MB/s here, on the page's main thread,
 * for every save and download). Blocks go to `crypto.subtle.digest`: native, about 1.6 GB/s on the same
 * machine, off the main thread, several blocks at once, and the same code runs in the page, the service
 * worker and the Cloudflare worker that verifies uploads. Only the standard library is used here.
 */

/** Bytes per block. Fixed: it is part of the hash's definition. */
export const CONTENT_BLOCK_SIZE = 4 * 1024 * 1024;

/** Blocks being digested at once before `update` makes its caller wait. */
const MAX_IN_FLIGHT = 4;

export interface ContentHasher {
  /**
   * Adds bytes (copied: the caller may reuse its buffer). Returns a promise when enough blocks are being
   * digested that the caller should wait before the next chunk, so memory stays at a few blocks.
   */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** Lowercase hex; call once, after the last update. */
  digest(): Promise<string>;
  /** Instead of `digest`: the blocks' SHA-256 digests, concatenated (32 bytes per block). */
  blocks(): Promise<Uint8Array<ArrayBuffer>>;
}

export function createContentHasher(): ContentHasher {
  // Grown on demand up to one block, so hashing a 20 KB file does not allocate 4 MiB.
  let block = new Uint8Array(0);
  let filled = 0;
  const digests: Promise<ArrayBuffer>[] = [];
  // digest() copies its input before it returns, so the block buffer is reused at once.
  const finishBlock = () => {
    digests.push(crypto.subtle.digest('SHA-256', block.subarray(0, filled)));
    filled = 0;
  };
  const blocks = async () => {
    if (filled > 0) finishBlock();
    return concatBytes((await Promise.all(digests)).map((digest) => new Uint8Array(digest)));
  };
  return {
    update(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (filled === 0 && chunk.byteLength - offset >= CONTENT_BLOCK_SIZE && unshared(chunk)) {
          // A whole block in the chunk (a Blob read in blocks): digested where it lies.
          digests.push(crypto.subtle.digest('SHA-256', chunk.subarray(offset, offset + CONTENT_BLOCK_SIZE)));
          offset += CONTENT_BLOCK_SIZE;
          continue;
        }
        const wanted = Math.min(CONTENT_BLOCK_SIZE, filled + chunk.byteLength - offset);
        if (wanted > block.byteLength) {
          const grown = new Uint8Array(Math.min(CONTENT_BLOCK_SIZE, Math.max(wanted, block.byteLength * 2)));
          grown.set(block.subarray(0, filled));
          block = grown;
        }
        const n = Math.min(CONTENT_BLOCK_SIZE - filled, chunk.byteLength - offset);
        block.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === CONTENT_BLOCK_SIZE) finishBlock();
      }
      const waitFor = digests[digests.length - MAX_IN_FLIGHT];
      return waitFor?.then(() => undefined);
    },
    blocks,
    digest: async () => contentHashOfBlocks(await blocks()),
  };
}

/** WebCrypto takes no view of shared memory. */
const unshared = (bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> =>
  typeof SharedArrayBuffer === 'undefined' || !(bytes.buffer instanceof SharedArrayBuffer);

/**
 * The content hash of bytes whose block digests are known (see `blocks`), in order: how the worker checks
 * a multipart upload from its parts' digests, each taken as the part streamed in, without reading the
 * assembled file back. An empty file has no blocks: its hash is the SHA-256 of nothing, as in Dropbox's.
 */
export async function contentHashOfBlocks(blocks: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', blocks));
}

/** The content hash of a stream of bytes, read to its end. */
export async function hashStream(stream: ReadableStream<Uint8Array>): Promise<string> {
  return (await feed(stream)).digest();
}

/** The block digests of a stream of bytes, read to its end (see `ContentHasher.blocks`). */
export async function hashStreamBlocks(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return (await feed(stream)).blocks();
}

function feed(stream: ReadableStream<Uint8Array>): Promise<ContentHasher> {
  return feedReader(stream.getReader());
}

/** Hashes what `reader` reads, to its end; each chunk is copied (or digested) before the next read. */
export async function feedReader(reader: { read(): Promise<ReadableStreamReadResult<Uint8Array>> }): Promise<ContentHasher> {
  const hasher = createContentHasher();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return hasher;
    await hasher.update(value);
  }
}

/** A plain SHA-256 of bytes held in memory, for requests that carry one (R2 checks it as it stores). */
export async function sha256Hex(bytes: BufferSource): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** The byte arrays one after another, in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

const toHex = (digest: ArrayBuffer): string => {
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
};
