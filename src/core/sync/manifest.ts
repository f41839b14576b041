/**
 * The records of a store in short, as the sync backend's event log makes them and as a device's store holds
 * them: per file, its content hash and whether its bytes were uploaded and whether it was deleted. The
 * worker folds its log into one (`foldEvent`, the same rules as the materializers in schema.ts) and answers
 * it at `GET /api/stores/<storeId>/manifest`; a device compares it with its own records (`compareManifests`)
 * to know, whatever LiveStore says, whether the backend holds every record of this device and whether this
 * device holds every record of the backend. Plain data, no DOM: the worker imports it too.
 */

/** What the manifest keeps of one file. */
export interface ManifestEntry {
  readonly hash: string;
  readonly uploaded: boolean;
  readonly deleted: boolean;
}

export type Manifest = ReadonlyMap<string, ManifestEntry>;

/** The manifest as it travels: `[id, hash, uploaded, deleted]` per file, ordered by id. */
export type ManifestRow = readonly [id: string, hash: string, uploaded: 0 | 1, deleted: 0 | 1];

export interface ManifestResponse {
  /** The number of the last event the backend holds. */
  readonly head: number;
  /** `manifestDigest` of the backend's manifest. */
  readonly digest: string;
  /** The backend's manifest; left out when the request's `digest` matched. */
  readonly files?: readonly ManifestRow[];
}

/** The path of a store's manifest on the worker. */

const stringField = (args: object, key: string): string | undefined => {
  const value = (args as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Applies one event of the log to `manifest` (mutated), as the kit's materializers apply it to the `files`
 * table: a creation is ignored for a file already known; a replacement, an upload or a deletion of an
 * unknown file changes nothing; an upload counts only for the content the file has now.
 */
export function foldEvent(manifest: Map<string, ManifestEntry>, name: string, args: unknown): void {
  if (typeof args !== 'object' || args === null) return;
  const id = stringField(args, 'id');
  if (id === undefined) return;
  const known = manifest.get(id);
  switch (name) {
    case 'lsfs.v1.FileCreated': {
      const hash = stringField(args, 'hash');
      if (known === undefined && hash !== undefined) manifest.set(id, { hash, uploaded: false, deleted: false });
      return;
    }
    case 'lsfs.v1.FileReplaced': {
      const hash = stringField(args, 'hash');
      if (known !== undefined && hash !== undefined) manifest.set(id, { ...known, hash, uploaded: false });
      return;
    }
    case 'lsfs.v1.FileUploaded':
      if (known !== undefined && known.hash === stringField(args, 'hash')) manifest.set(id, { ...known, uploaded: true });
      return;
    case 'lsfs.v1.FileDeleted':
      if (known !== undefined) manifest.set(id, { ...known, deleted: true });
      return;
  }
}

export function manifestRows(manifest: Manifest): ManifestRow[] {
  return [...manifest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { hash, uploaded, deleted }]) => [id, hash, uploaded ? 1 : 0, deleted ? 1 : 0]);
}

export function manifestFromRows(rows: readonly ManifestRow[]): Map<string, ManifestEntry> {
  return new Map(rows.map(([id, hash, uploaded, deleted]) => [id, { hash, uploaded: uploaded === 1, deleted: deleted === 1 }]));
}

/** SHA-256 of a text, in hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The rows as text, a line each, fields apart by a space (what `manifestDigest` hashes). */
export function manifestText(rows: readonly ManifestRow[]): string {
  return rows.map((row) => row.join(' ')).join('\n');
}

/** The rows of a `manifestText`. */
export function manifestTextRows(text: string): ManifestRow[] {
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const [id = '', hash = '', uploaded, deleted] = line.split(' ');
    return [id, hash, uploaded === '1' ? 1 : 0, deleted === '1' ? 1 : 0] as const;
  });
}

/** SHA-256 (hex) of the manifest's text: equal digests, equal manifests. */
export function manifestDigest(manifest: Manifest): Promise<string> {
  return sha256Hex(manifestText(manifestRows(manifest)));
}

export interface ManifestComparison {
  /** Files whose record on this device says more than the backend's: a creation, an upload or a deletion it lacks. */
  readonly missingUpstream: readonly string[];
  /** Files whose record on the backend says more than this device's. */
  readonly missingHere: readonly string[];
}

/**
 * Where the two differ, and which side is behind. A file on both with other content is behind on both sides
 * until one replacement wins everywhere: last writer wins by the log's order, which neither side decides.
 */
export function compareManifests(local: Manifest, remote: Manifest): ManifestComparison {
  const missingUpstream: string[] = [];
  const missingHere: string[] = [];
  for (const [id, mine] of local) {
    const theirs = remote.get(id);
    if (theirs === undefined || (mine.hash === theirs.hash && ((mine.uploaded && !theirs.uploaded) || (mine.deleted && !theirs.deleted)))) {
      missingUpstream.push(id);
    } else if (mine.hash !== theirs.hash) {
      missingUpstream.push(id);
      missingHere.push(id);
    }
  }
  for (const [id, theirs] of remote) {
    const mine = local.get(id);
    if (mine === undefined || (mine.hash === theirs.hash && ((theirs.uploaded && !mine.uploaded) || (theirs.deleted && !mine.deleted)))) {
      missingHere.push(id);
    }
  }
  return { missingUpstream, missingHere };
}
