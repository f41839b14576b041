/**
 * The records of files saved on this device, kept in OPFS next to their bytes until the backend is seen to
 * hold them. A commit goes from the page to LiveStore's leader worker asynchronously (under load it took up
 * to 2.7 s here), so a page closed or reloaded in that moment lost the record while its bytes stayed in
 * OPFS: a file the user dropped, gone from every device. The tab that leads the store's transfers commits
 * again, at its start and then every half minute, every journaled record the store lacks (a tab whose
 * LiveStore session stopped leaves its last commits only here); a batch of the journal is removed once the
 * backend confirmed this device's records (sync/upstream-check.ts) and the store holds every file of it.
 *
 * One small JSON file per batch of saves (`<root>/.journal/<storeId>/<time>-<random>.json`): saves are
 * committed in batches already, so the journal costs one write per batch, not per file.
 */
import { recordedIds } from '../store/recorded-ids.js';
import type { FileSyncStore } from '../store/store.js';
import { fileSyncEvents, filesTable } from '../store/schema.js';
import type { FileStorage, StorageMode } from '../storage/file-storage.js';
import type { FileView } from '../views/state.js';

/** What a file's creation records (the arguments of its `FileCreated` event). */
export type JournalEntry = Pick<FileView, 'id' | 'name' | 'type' | 'size' | 'hash' | 'createdAt'>;

interface JournalBatch {
  readonly file: string;
  readonly entries: readonly JournalEntry[];
}

/**
 * The journals of stores whose files are kept in memory, per store: kept by the tab, so a store opened again
 * in it (after LiveStore stopped it) commits again what the stopped one never passed on.
 */
const tabJournals = new Map<string, Map<string, readonly JournalEntry[]>>();

export class RecordJournal {
  #dir: Promise<FileSystemDirectoryHandle> | undefined;
  /** Whether a batch may be on disk: spares reading an empty journal on every confirmation. */
  #mayHoldBatches = true;
  /** Where files are kept in memory, the journal is too (nothing of them outlives the tab). */
  readonly #inMemory: Map<string, readonly JournalEntry[]> | undefined;

  constructor(
    private readonly root: string,
    private readonly storeId: string,
    where: StorageMode = 'device',
  ) {
    if (where === 'memory') {
      const key = `${root}/${storeId}`;
      let batches = tabJournals.get(key);
      if (batches === undefined) tabJournals.set(key, (batches = new Map()));
      this.#inMemory = batches;
    }
  }

  #directory(): Promise<FileSystemDirectoryHandle> {
    this.#dir ??= (async () => {
      const kit = await (await navigator.storage.getDirectory()).getDirectoryHandle(this.root, { create: true });
      const journal = await kit.getDirectoryHandle('.journal', { create: true });
      return journal.getDirectoryHandle(this.storeId, { create: true });
    })();
    return this.#dir;
  }

  /** Journals a batch of saves before their commit. */
  async add(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const name = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}.json`;
    this.#mayHoldBatches = true;
    if (this.#inMemory) {
      this.#inMemory.set(name, entries);
      return;
    }
    const handle = await (await this.#directory()).getFileHandle(name, { create: true });
    const writable = await handle.createWritable();
    await writable.write(JSON.stringify(entries));
    await writable.close();
  }

  async #batches(): Promise<JournalBatch[]> {
    if (!this.#mayHoldBatches) return [];
    if (this.#inMemory) return [...this.#inMemory].map(([file, entries]) => ({ file, entries }));
    const dir = await this.#directory();
    const batches: JournalBatch[] = [];
    for await (const [file, handle] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
      if (handle.kind !== 'file') continue;
      try {
        const entries: unknown = JSON.parse(await (await (handle as FileSystemFileHandle).getFile()).text());
        if (Array.isArray(entries)) batches.push({ file, entries: entries as JournalEntry[] });
      } catch {
        // A batch torn by a crash mid-write holds nothing a commit did not follow.
        await dir.removeEntry(file).catch(() => {});
      }
    }
    this.#mayHoldBatches = batches.length > 0;
    return batches;
  }

  /**
   * Commits again the journaled records the store lacks, when this device still holds their bytes (a
   * record of bytes no device has would name a file nobody can fetch). With `journaledBefore`, only batches
   * older than that: a younger one may still be on its way from its tab. Returns the ids committed.
   */
  async restore(store: FileSyncStore, local: FileStorage, { journaledBefore = Infinity } = {}): Promise<string[]> {
    const restored: string[] = [];
    const batches = (await this.#batches()).filter(({ file }) => Number.parseInt(file, 10) < journaledBefore);
    if (batches.length === 0) return restored;
    const recorded = recordedIds(store);
    // Recorded while this reads the bytes of those that were not: asked again of each of those.
    const lacks = (id: string) => !recorded.has(id) && store.query(filesTable.where({ id }).first()) === undefined;
    for (const { entries } of batches) {
      for (const entry of entries) {
        if (!lacks(entry.id)) continue;
        const bytes = await local.read(entry.id);
        if (bytes === undefined || bytes.size !== entry.size) continue;
        const at = Date.now();
        store.commit(fileSyncEvents.fileCreated(entry), fileSyncEvents.localCopyStored({ id: entry.id, hash: entry.hash, at }));
        restored.push(entry.id);
      }
    }
    return restored;
  }

  /**
   * Removes the batches journaled before `before` whose every file the store holds; call once the backend
   * confirmed the store's records. A batch is committed within moments of being journaled: one younger than
   * a confirmation may have been committed after the records the backend confirmed were read.
   */
  async prune(store: FileSyncStore, before: number): Promise<void> {
    if (!this.#mayHoldBatches) return;
    let left = false;
    const batches = await this.#batches();
    const recorded = batches.length > 0 ? recordedIds(store) : new Set<string>();
    for (const { file, entries } of batches) {
      const journaledAt = Number.parseInt(file, 10);
      if (journaledAt < before && entries.every((entry) => recorded.has(entry.id))) {
        if (this.#inMemory) this.#inMemory.delete(file);
        else await (await this.#directory()).removeEntry(file).catch(() => {});
      } else left = true;
    }
    this.#mayHoldBatches = left;
  }
}
