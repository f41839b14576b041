import { expect } from '@open-wc/testing';
import { hashBlob, readInBlocks } from '../../src/core/storage/block-reader.js';
import { contentHashOf, randomBytes } from './helpers.js';

/** Whether a Blob's stream is a byte stream here (it is in Chromium and Firefox). */
function readsIntoBuffers(): boolean {
  try {
    new Blob(['x']).stream().getReader({ mode: 'byob' }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

describe('readInBlocks', () => {
  it('reads a Blob whole, in order, although every chunk comes in the same buffer', async () => {
    const bytes = randomBytes(10_500, 3);
    const reader = readInBlocks(new Blob([bytes]), 1000);
    // Each chunk is lent until the next read, which reads into the same memory: kept, it is copied.
    const copies: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      copies.push(value.slice());
    }
    const joined = new Uint8Array(copies.reduce((sum, c) => sum + c.byteLength, 0));
    copies.reduce((at, c) => (joined.set(c, at), at + c.byteLength), 0);
    expect(joined).to.deep.equal(bytes);
    // Whole blocks where the browser reads a Blob into a buffer it is given, the last one short.
    if (readsIntoBuffers()) expect(copies.map((c) => c.byteLength)).to.deep.equal([...Array(10).fill(1000), 500]);
  });

  it('hashes a Blob on both sides of the 4 MiB block boundary as the reference does, and an empty one', async () => {
    const MiB = 1024 * 1024;
    for (const size of [0, 1, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 5]) {
      const blob = new Blob([randomBytes(size, size % 97)]);
      expect(await hashBlob(blob), `${size} bytes`).to.equal(await contentHashOf(blob));
    }
  });
});
