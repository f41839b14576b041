// Reads the local backend's R2 bucket from its persisted state (the backend stopped), with Miniflare:
// what tests check to know what remote storage really holds.
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { ContentHash } from './content-hash.mjs';

/** Every object under `prefix` as key -> the content hash of its bytes (the kit's file hash). `stateDir` is the backend's `persistTo`. */
export async function readBucket(stateDir, prefix = '') {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null) } }',
    // The bucket name of wrangler.jsonc's FILES binding: persisted objects are filed under it.
    r2Buckets: { FILES: 'ls-file-sync-files' },
    defaultPersistRoot: path.join(stateDir, 'v3'),
  });
  try {
    const bucket = await mf.getR2Bucket('FILES');
    const objects = new Map();
    let cursor;
    do {
      const page = await bucket.list({ prefix, cursor });
      for (const { key } of page.objects) {
        const hash = new ContentHash();
        for await (const chunk of (await bucket.get(key)).body) hash.update(chunk);
        objects.set(key, hash.digest('hex'));
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return objects;
  } finally {
    await mf.dispose();
  }
}
