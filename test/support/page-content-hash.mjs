// The kit's content hash (SHA-256 over the SHA-256 digests of 4 MiB blocks) of bytes held in memory, from
// its definition and WebCrypto alone: self-contained, so browser tests import it and end-to-end tests hand
// its source to a page (`installContentHash`). Node's streaming version is ./content-hash.mjs.

/** Hex content hash of a Uint8Array or ArrayBuffer. */
export async function contentHashOfBytes(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const block = 4 * 1024 * 1024;
  const digests = [];
  for (let at = 0; at < data.byteLength; at += block) digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', data.subarray(at, at + block))));
  const joined = new Uint8Array(digests.length * 32);
  digests.forEach((digest, i) => joined.set(digest, i * 32));
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', joined))].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Defines `window.contentHashOfBytes` in every document `page` (puppeteer) loads from now on. */
export const installContentHash = (page) => page.evaluateOnNewDocument(`window.contentHashOfBytes = ${contentHashOfBytes}`);
