/**
 * Decides what transfers a device owes, from the synced records and its local rows. Pure, so every rule
 * is testable on its own, and re-run on every change: the plan is always rebuilt, never patched.
 *
 * The rule that keeps edits safe: bytes on this device are never replaced by a download. A download
 * happens only where this device holds no copy of the file at all.
 */
import type { FileLocalStateRow, FileRow } from './schema.js';

export type Work =
  | { readonly kind: 'upload'; readonly id: string; readonly hash: string; readonly size: number; readonly type: string }
  | { readonly kind: 'download'; readonly id: string; readonly hash: string; readonly size: number; readonly remoteKey: string }
  | { readonly kind: 'remove-local'; readonly id: string }
  | { readonly kind: 'delete-remote'; readonly id: string; readonly remoteKey: string };

/** One key per file and kind: the queue holds at most one transfer of each kind for a file. */
export const workKey = (work: Pick<Work, 'kind' | 'id'>): string => `${work.kind}:${work.id}`;

export const remoteKeyOf = (id: string, hash: string): string => `${id}/${hash}`;

export function planWork(records: readonly FileRow[], locals: ReadonlyMap<string, FileLocalStateRow>): Work[] {
  const plan: Work[] = [];
  for (const record of records) {
    const local = locals.get(record.id);
    if (record.deletedAt !== null) {
      if (local?.localHash != null) plan.push({ kind: 'remove-local', id: record.id });
      // The upload may have reached the server even if its confirmation did not: delete the key regardless.
      if (local?.remoteDeletePending) plan.push({ kind: 'delete-remote', id: record.id, remoteKey: remoteKeyOf(record.id, record.hash) });
      continue;
    }
    if (local?.failure != null) continue;
    if (local?.localHash === record.hash && record.remoteKey === null) {
      plan.push({ kind: 'upload', id: record.id, hash: record.hash, size: record.size, type: record.type });
    } else if (record.remoteKey !== null && (local?.localHash ?? null) === null) {
      plan.push({ kind: 'download', id: record.id, hash: record.hash, size: record.size, remoteKey: record.remoteKey });
    }
  }
  return plan;
}
