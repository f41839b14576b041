/**
 * Describes images for other devices (their size and a tiny preview, see image-meta.ts): work of the tab
 * that leads a store, like its transfers. Any image this device holds without a description gets one, so a
 * description survives the tab that saved the image closing a moment later (the leader of the next session
 * describes it), and an image saved where it could not be described (a worker, a browser without
 * OffscreenCanvas) is described by the first device that can.
 *
 * An image is described a while after its bytes arrived here: decoding it beside the decode that shows it
 * on this page cost 170 ms of the 300 to its display (bench case `local display`, a 3000×2250 JPEG), and a
 * device that downloaded an image gives the one that saved it time to describe it first. One image at a
 * time, each when the page is idle. An image that cannot be decoded is tried once per session. The code
 * that decodes images loads with the first one to describe: a page that only shows files never loads it.
 */
import type { ImageMeta } from './image-meta.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { FileLocalStateRow, FileRow } from '../store/schema.js';

export interface ImageDescriberHost {
  readonly local: FileStorage;
  /** Every record, deleted ones too, as last read. */
  records(): readonly FileRow[];
  locals(): ReadonlyMap<string, FileLocalStateRow>;
  /** Records the description of content `hash` of file `id`. */
  describe(id: string, hash: string, meta: ImageMeta): void;
}

/** How long after its bytes arrived an image is described. */
export const DESCRIBE_DELAY_MS = 1000;

export class ImageDescriber {
  /** `<id>:<hash>` of the images tried in this session, described or not. */
  readonly #tried = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #stopped = false;

  constructor(
    private readonly host: ImageDescriberHost,
    private readonly delayMs = DESCRIBE_DELAY_MS,
  ) {}

  /** The records or local copies changed: describes what is due, or waits until something is. */
  reconcile(): void {
    if (this.#stopped || this.#running) return;
    const due = this.#nextDueAt();
    if (due === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, Math.max(0, due - Date.now()));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** When the next image to describe is due, if there is one. */
  #nextDueAt(): number | undefined {
    let due: number | undefined;
    for (const candidate of this.#candidates()) due = Math.min(due ?? Infinity, candidate.dueAt);
    return due;
  }

  *#candidates(): Generator<{ readonly record: FileRow; readonly dueAt: number }> {
    const locals = this.host.locals();
    for (const record of this.host.records()) {
      if (record.deletedAt !== null || record.width !== null || !record.type.startsWith('image/')) continue;
      const local = locals.get(record.id);
      if (local?.localHash !== record.hash || this.#tried.has(`${record.id}:${record.hash}`)) continue;
      yield { record, dueAt: local.updatedAt + this.delayMs };
    }
  }

  /** The first image due by `now`, looking no further: after a drop of 1,000 photos, each is taken in turn. */
  #firstDue(now: number): FileRow | undefined {
    for (const candidate of this.#candidates()) if (candidate.dueAt <= now) return candidate.record;
    return undefined;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        if (this.#stopped) return;
        const next = this.#firstDue(Date.now());
        if (next === undefined) return;
        this.#tried.add(`${next.id}:${next.hash}`);
        await idle();
        const [file, { imageMeta }] = await Promise.all([this.host.local.read(next.id), import('./image-meta.js')]);
        // The bytes as a typed Blob without copying them: image-meta goes by the type.
        const meta = file && (await imageMeta(file.slice(0, file.size, next.type)));
        if (meta && !this.#stopped) this.host.describe(next.id, next.hash, meta);
      }
    } catch (error) {
      console.warn('[ls-file-sync] could not describe an image', error);
    } finally {
      this.#running = false;
      // Images that came while this ran, or are not due yet.
      this.reconcile();
    }
  }
}

const idle = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 2000 });
    else setTimeout(resolve, 0);
  });
