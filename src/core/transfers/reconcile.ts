/**
 * Decides what transfers a device owes, from the synced records and its local rows. Pure, so every rule
 * is testable on its own, and re-run on every change: the plan is always rebuilt, never patched.
 *
 * The rule that keeps edits safe: bytes on this device are replaced by a download only once they are
 * safe in remote storage. Bytes that lost a concurrent edit (the record now names another device's
 * content) are uploaded first, as a version of their own, and only then replaced.
 */
import type { FileLocalStateRow, FileRow, FileVersionRow } from '../store/schema.js';
import { remoteKeyOf } from '../wire.js';

export type Work =
  | { readonly kind: 'upload'; readonly id: string; readonly hash: string; readonly size: number; readonly type: string }
  | { readonly kind: 'download'; readonly id: string; readonly hash: string; readonly size: number; readonly remoteKey: string }
  | { readonly kind: 'remove-local'; readonly id: string }
  | { readonly kind: 'delete-remote'; readonly id: string; readonly remoteKey: string };

/** One key per file and kind: the queue holds at most one transfer of each kind for a file. */
export type WorkKey = `${Work['kind']}:${string}`;

export const workKey = (work: Pick<Work, 'kind' | 'id'>): WorkKey => `${work.kind}:${work.id}`;


/** Versions by `<fileId>:<hash>`. */
export type VersionIndex = ReadonlyMap<string, Pick<FileVersionRow, 'remoteKey' | 'type' | 'size'>>;

export function planWork(records: readonly FileRow[], locals: ReadonlyMap<string, FileLocalStateRow>, versions: VersionIndex = new Map()): Work[] {
  const plan: Work[] = [];
  for (const record of records) {
    const local = locals.get(record.id);
    const localHash = local?.localHash ?? null;
    if (record.deletedAt !== null) {
      if (local?.localHash != null) plan.push({ kind: 'remove-local', id: record.id });
      // The upload may have reached the server even if its confirmation did not: delete the key regardless.
      if (local?.remoteDeletePending) plan.push({ kind: 'delete-remote', id: record.id, remoteKey: remoteKeyOf(record.id, record.hash) });
      continue;
    }
    if (local?.failure != null) continue;
    if (localHash === record.hash) {
      if (record.remoteKey === null) plan.push({ kind: 'upload', id: record.id, hash: record.hash, size: record.size, type: record.type });
      continue;
    }
    if (localHash !== null) {
      const held = versions.get(`${record.id}:${localHash}`);
      if (!held?.remoteKey) {
        // This device's bytes are not safe anywhere else yet: upload them before anything replaces them.
        plan.push({ kind: 'upload', id: record.id, hash: localHash, size: held?.size ?? 0, type: held?.type ?? record.type });
        continue;
      }
    }
    // An evicted copy comes back when asked for (`LocalCopyUsed` clears the flag), not in the background.
    // Its address follows from the file and its hash: a synced string never names where a request goes.
    if (record.remoteKey !== null && !local?.evicted) {
      plan.push({ kind: 'download', id: record.id, hash: record.hash, size: record.size, remoteKey: remoteKeyOf(record.id, record.hash) });
    }
  }
  return plan;
}

/**
 * The local copies to remove so the bytes on this device fit in `budget`, least recently used first. Only
 * copies that are exactly the remote content are candidates: bytes not uploaded yet, bytes of a losing
 * concurrent edit and files in transfer (`busy`) stay, even if the budget cannot be met without them.
 */
export function pickEvictions(
  records: readonly FileRow[],
  locals: ReadonlyMap<string, FileLocalStateRow>,
  budget: number,
  busy: (id: string) => boolean = () => false,
): string[] {
  let used = 0;
  const candidates: { id: string; size: number; usedAt: number }[] = [];
  for (const record of records) {
    const local = locals.get(record.id);
    if (local?.localHash == null || record.deletedAt !== null) continue;
    used += record.size;
    if (local.localHash === record.hash && record.remoteKey !== null && local.upload === null && !busy(record.id)) {
      candidates.push({ id: record.id, size: record.size, usedAt: local.usedAt || local.updatedAt });
    }
  }
  const evict: string[] = [];
  candidates.sort((a, b) => a.usedAt - b.usedAt);
  for (const candidate of candidates) {
    if (used <= budget) break;
    evict.push(candidate.id);
    used -= candidate.size;
  }
  return evict;
}
