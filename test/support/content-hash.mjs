// The kit's content hash written again from its definition (SHA-256 over the SHA-256 digests of 4 MiB
// blocks, as Dropbox's content_hash), with Node's crypto and none of the kit's code, so the tests check the
// kit against an implementation of their own.
import { createHash } from 'node:crypto';

const BLOCK = 4 * 1024 * 1024;

/** Feed it bytes in any pieces; `digest()` gives the hex content hash. */
export class ContentHash {
  #outer = createHash('sha256');
  #block = createHash('sha256');
  #filled = 0;

  update(bytes) {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(BLOCK - this.#filled, bytes.length - offset);
      this.#block.update(bytes.subarray(offset, offset + n));
      this.#filled += n;
      offset += n;
      if (this.#filled === BLOCK) this.#endBlock();
    }
    return this;
  }

  #endBlock() {
    this.#outer.update(this.#block.digest());
    this.#block = createHash('sha256');
    this.#filled = 0;
  }

  digest() {
    if (this.#filled > 0) this.#endBlock();
    return this.#outer.digest('hex');
  }
}

export const contentHash = (bytes) => new ContentHash().update(typeof bytes === 'string' ? Buffer.from(bytes) : bytes).digest();

/** The plain SHA-256 a single PUT carries in `x-content-sha256`. */
export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
