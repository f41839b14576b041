/**
 * What the core shows of each live file: one view per record, made from the record, this device's row and
 * the transfer under way, and kept as the same object while none of those changes, so watchers and
 * renderers can compare by identity.
 */
import { Observable, type ReadonlyObservable } from '../observable.js';
import type { FileLocalStateRow, FileRow } from '../store/schema.js';
import type { SaveInProgress } from './saves-in-progress.js';
import { toSavingView, toView, type FileSyncState, type FileView, type TransferActivity } from './state.js';

/** What a view is made from. */
export interface ViewInputs {
  /** The live records, newest first. */
  readonly records: readonly FileRow[];
  readonly locals: ReadonlyMap<string, FileLocalStateRow>;
  /** The transfer of a file as it should show now. */
  readonly activity: (id: string) => TransferActivity | undefined;
  /** Files this tab is saving, newest first: shown before the records, which are older. */
  readonly saving: readonly SaveInProgress[];
}

interface ViewSource {
  readonly record: FileRow;
  readonly local: FileLocalStateRow | undefined;
  readonly activity: TransferActivity | undefined;
  readonly view: FileView;
}

export class FileViews {
  readonly #files = new Observable<readonly FileView[]>([]);
  #byId = new Map<string, FileView>();
  /** What each view was made from, to keep it while none of that changes. */
  #sources = new Map<string, ViewSource>();
  readonly #watchers = new Map<string, Set<(view: FileView | undefined) => void>>();

  /** Every live file, newest first. */
  get files(): ReadonlyObservable<readonly FileView[]> {
    return this.#files;
  }

  /** The view of one live file, as last published. */
  get(id: string): FileView | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Calls `listener` now and whenever this one file's view changes (undefined: unknown or deleted). */
  watch(id: string, listener: (view: FileView | undefined) => void): () => void {
    let watchers = this.#watchers.get(id);
    if (!watchers) this.#watchers.set(id, (watchers = new Set()));
    watchers.add(listener);
    listener(this.#byId.get(id));
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0) this.#watchers.delete(id);
    };
  }

  /** Makes the views again from `inputs`, and tells those watching what changed. */
  publish({ records, locals, activity, saving }: ViewInputs): void {
    const previous = this.#byId;
    const sources = new Map<string, ViewSource>();
    // A save's view stands while it lasts: nothing of it changes until its record replaces it.
    const savingViews = saving.map((save) => {
      const before = previous.get(save.id);
      return before?.state.kind === 'saving' ? before : toSavingView(save);
    });
    const recordViews = records.map((record) => {
      const local = locals.get(record.id);
      const shown = activity(record.id);
      const before = this.#sources.get(record.id);
      // The rows a commit did not change are the objects read before (row-mirror.ts): their view stands.
      if (before !== undefined && before.record === record && before.local === local && before.activity === shown) {
        sources.set(record.id, before);
        return before.view;
      }
      const made = toView(record, local, shown);
      // Keep the old object when nothing shown changed, so watchers and renderers can compare by identity.
      const view = before !== undefined && sameView(before.view, made) ? before.view : made;
      sources.set(record.id, { record, local, activity: shown, view });
      return view;
    });
    // The record of a save is committed just before the save ends: shown once, as the record.
    const views = savingViews.length === 0 ? recordViews : [...savingViews.filter((view) => !sources.has(view.id)), ...recordViews];
    this.#sources = sources;
    this.#byId = new Map(views.map((view) => [view.id, view]));
    const current = this.#files.get();
    if (views.length !== current.length || views.some((view, i) => view !== current[i])) this.#files.set(views);
    for (const [id, watchers] of this.#watchers) {
      const view = this.#byId.get(id);
      if (view === previous.get(id)) continue;
      for (const watcher of [...watchers]) watcher(view);
    }
  }
}

function sameView(a: FileView, b: FileView): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.hash === b.hash &&
    a.local === b.local &&
    a.remoteKey === b.remoteKey &&
    a.updatedAt === b.updatedAt &&
    a.preview === b.preview &&
    a.width === b.width &&
    sameState(a.state, b.state)
  );
}

/** Runs for every file on every change: compares fields rather than serialising (which left 2,000 strings to collect). */
function sameState(a: FileSyncState, b: FileSyncState): boolean {
  if (a.kind === 'failed' || b.kind === 'failed') {
    if (a.kind !== 'failed' || b.kind !== 'failed') return false;
    const [x, y] = [a.failure, b.failure];
    return x.direction === y.direction && x.code === y.code && x.message === y.message && x.status === y.status;
  }
  // Every other state holds only primitives.
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  for (const key in x) if (x[key] !== y[key]) return false;
  for (const key in y) if (!(key in x)) return false;
  return true;
}
