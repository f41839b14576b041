/**
 * Files whose bytes this device holds although its records say it holds none. A save commits the file's
 * record and the note of its local copy together, but that note is a client-only event of LiveStore's and
 * was seen lost on the device that saved the file (the full chaos run, seed 45: one file of 303), while its
 * record synced. Nobody could upload it then: this device thought it had no copy, the others waited for
 * one. The bytes stay in OPFS (nothing removes them without a note), so the leading tab looks for them.
 */
import { hashBlob } from '../storage/block-reader.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { FileLocalStateRow, FileRow } from '../store/schema.js';

/** The live records with neither an upload nor a local copy noted whose bytes, with their hash, are here. */
export async function findLostLocalCopies(
  records: readonly FileRow[],
  locals: ReadonlyMap<string, FileLocalStateRow>,
  local: FileStorage,
): Promise<FileRow[]> {
  const found: FileRow[] = [];
  for (const record of records) {
    if (record.deletedAt !== null || record.remoteKey !== null) continue;
    const noted = locals.get(record.id);
    if (noted?.localHash != null || noted?.failure != null) continue;
    const bytes = await local.read(record.id);
    if (bytes === undefined || bytes.size !== record.size) continue;
    if ((await hashBlob(bytes)) === record.hash) found.push(record);
  }
  return found;
}
