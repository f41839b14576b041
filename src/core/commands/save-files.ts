/**
 * Saving files: each is written to OPFS in turn, and their records are journaled, then committed together
 * every 50 ms rather than one by one, since every commit re-runs the store's watched queries over all its
 * files. A file that cannot be saved (a name too long, a full disk) fails alone.
 */
import { FileSyncError } from '../errors.js';
import type { SaveOptions, SaveRequest, SaveResult } from '../file-sync-options.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { JournalEntry, RecordJournal } from '../sync/record-journal.js';
import type { Uploader } from '../transfers/uploader.js';
import type { SavesInProgress } from '../views/saves-in-progress.js';
import type { FileView } from '../views/state.js';
import { MAX_NAME_LENGTH, MAX_TYPE_LENGTH } from '../wire.js';

/** While saving many files, their records are committed together at most this often. */
const SAVE_BATCH_MS = 50;

export interface SaveContext {
  readonly local: FileStorage;
  readonly journal: RecordJournal;
  /** Shows each file from its bytes while it is saved, until its record is committed. */
  readonly saving: SavesInProgress;
  /**
   * Where a large file may start going up while it is saved: the uploader of the tab that runs the
   * transfers, while the backend answers; undefined elsewhere.
   */
  uploadWhileSaving(): Uploader | undefined;
  /** Commits the records of saved files, and gives each one's view (undefined: not recorded). Throws once closed. */
  record(records: readonly JournalEntry[]): (FileView | undefined)[];
}

/** The name a file is saved under, refused when no device could store it. */
export function fileName(name: string): string {
  const shown = name === '' ? 'file' : name;
  if (shown.length > MAX_NAME_LENGTH) throw new FileSyncError('name_too_long', `The file name is longer than ${MAX_NAME_LENGTH} characters`);
  return shown;
}

/**
 * The media type a file is recorded with: a page may make a `File` with any type, and a record keeps what
 * every device can store (synced-args.ts); an unusable type is no type, as for a file the browser cannot name.
 */
export function mediaType(type: string): string {
  return type.length <= MAX_TYPE_LENGTH ? type : '';
}

export async function saveFiles(requests: readonly SaveRequest[], context: SaveContext): Promise<SaveResult[]> {
  const { local, journal, saving } = context;
  /** The uploader of each file begun while saved. */
  const begun = new Map<string, Uploader>();
  const results: SaveResult[] = [];
  let batch: { readonly index: number; readonly record: JournalEntry }[] = [];
  let committedAt = Date.now();
  const commit = async () => {
    if (batch.length === 0) return;
    // Journaled first: a page closed before LiveStore's leader has the commit loses nothing (record-journal.ts).
    // The journal is a safety net: a save does not fail for want of it.
    const journaled = await journal.add(batch.map((saved) => saved.record)).then(
      () => true,
      () => false,
    );
    try {
      const { views, recorded } = recordOrJournaled(batch.map((saved) => saved.record), context, journaled);
      for (const [i, { index, record }] of batch.entries()) {
        const view = views[i];
        results[index] = view ? { ok: true, file: view } : { ok: false, error: new FileSyncError('internal', 'The saved file was not recorded') };
        const uploader = begun.get(record.id);
        begun.delete(record.id);
        // Unrecorded, the upload is the next leader's, from the saved copy.
        if (view && recorded) uploader?.recorded(record.id, view.hash);
        else uploader?.cancel(record.id);
      }
    } finally {
      for (const { record } of batch) saving.end(record.id);
    }
    batch = [];
    committedAt = Date.now();
  };
  for (const [index, request] of requests.entries()) {
    const { blob, options = {} }: { blob: Blob; options?: SaveOptions } = request instanceof Blob ? { blob: request } : request;
    const id = crypto.randomUUID();
    try {
      const name = fileName(options.name ?? (blob instanceof File ? blob.name : ''));
      const type = mediaType(options.type ?? blob.type);
      saving.start({ id, name, type, size: blob.size, startedAt: Date.now(), blob });
      // The first file of a drop is shown before it is saved, when the page shows it: what the user looks at
      // for, rather than the save, gets the processor first. The rest show as they are saved, in turn.
      if (index === 0) await saving.shownFirst(id);
      // A large file starts going up while it is saved (the uploader reads the blob being saved): the save
      // and the upload overlap instead of taking turns. Otherwise the upload starts from OPFS once saved.
      const uploader = context.uploadWhileSaving();
      if (uploader) {
        uploader.begin(id, blob, type);
        begun.set(id, uploader);
      }
      const { hash, size } = await local.writeBlob(id, blob);
      batch.push({ index, record: { id, name, type, size, hash, createdAt: Date.now() } });
    } catch (error) {
      begun.get(id)?.cancel(id);
      begun.delete(id);
      saving.end(id);
      results[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (Date.now() - committedAt >= SAVE_BATCH_MS) await commit();
  }
  await commit();
  return results;
}

/**
 * Commits the records. Closed meanwhile (the page leaving, or the store opened again after LiveStore stopped
 * it), `record` throws: when the journal holds the records, the next open commits them, so the files are
 * saved all the same, and shown as such until their records arrive.
 */
function recordOrJournaled(
  records: readonly JournalEntry[],
  context: SaveContext,
  journaled: boolean,
): { views: (FileView | undefined)[]; recorded: boolean } {
  try {
    return { views: context.record(records), recorded: true };
  } catch (error) {
    if (!journaled || !(error instanceof FileSyncError && error.code === 'closed')) throw error;
    const views = records.map((record): FileView => ({
      ...record,
      updatedAt: record.createdAt,
      remoteKey: null,
      width: null,
      height: null,
      preview: null,
      local: true,
      state: { kind: 'local' },
    }));
    return { views, recorded: false };
  }
}
