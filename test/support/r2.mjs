// Reads the local backend's R2 bucket from its persisted state (the backend stopped), with Miniflare:
// what tests check to know what remote storage really holds.
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { ContentHash } from './content-hash.mjs';

/**
 * Every object under `prefix` as key -> the content hash of its bytes (the kit's file hash). `stateDir` is the
 * backend's `persistTo`. Read as the file API serves them: a pointer (a content key whose bytes were staged,
 * see src/server/pointer.ts) maps to the hash of the staged bytes, and staged bytes a pointer names are not
 * listed apart; staged bytes no pointer names are, so a test sees them as the leftovers they are.
 */
export async function readBucket(stateDir, prefix = '') {
  // Miniflare's bridge to its own workerd has failed now and then: an internal assertion after a long chaos
  // run (a message that was not there), "fetch failed: other side closed" while reading a 1 GiB object in a
  // CI run. The state on disk is intact, so a fresh instance reads it; a bucket that lacks an object is an
  // answer, not an error, so retrying hides nothing a test checks.
  for (let attempt = 1; ; attempt++) {
    try {
      return await readBucketOnce(stateDir, prefix);
    } catch (error) {
      if (attempt === 3) throw error;
      console.warn(`reading the persisted R2 bucket failed (${error?.message ?? error}); reading it again`);
    }
  }
}

async function readBucketOnce(stateDir, prefix) {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null) } }',
    // The bucket name of wrangler.jsonc's FILES binding: persisted objects are filed under it.
    r2Buckets: { FILES: 'ls-file-sync-files' },
    defaultPersistRoot: path.join(stateDir, 'v3'),
  });
  try {
    const bucket = await mf.getR2Bucket('FILES');
    const listed = [];
    let cursor;
    do {
      const page = await bucket.list({ prefix, cursor, include: ['customMetadata'] });
      listed.push(...page.objects);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    const named = new Set(listed.map((object) => object.customMetadata?.['stored-at']).filter((key) => key !== undefined));
    const objects = new Map();
    for (const { key, customMetadata } of listed) {
      if (named.has(key)) continue;
      objects.set(key, await hashOf(bucket, customMetadata?.['stored-at'] ?? key));
    }
    return objects;
  } finally {
    await mf.dispose();
  }
}

/** Bytes read through Miniflare's bridge at once: a failure costs one range read again, not the whole object. */
const RANGE = 64 * 1024 * 1024;

/**
 * The content hash of the object at `key`, or 'missing'. Read in ranges, each tried again on its own: under
 * load the bridge failed three whole reads of a 1 GiB object in a row ("fetch failed").
 */
async function hashOf(bucket, key) {
  const head = await bucket.head(key);
  if (head === null) return 'missing';
  const hash = new ContentHash();
  for (let offset = 0; offset < head.size; offset += RANGE) {
    const range = { offset, length: Math.min(RANGE, head.size - offset) };
    for (let attempt = 1; ; attempt++) {
      try {
        const object = await bucket.get(key, { range });
        if (object === null) return 'missing';
        hash.update(new Uint8Array(await object.arrayBuffer()));
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        console.warn(`reading ${key} at ${offset} failed (${error?.message ?? error}); reading that range again`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
  return hash.digest('hex');
}
