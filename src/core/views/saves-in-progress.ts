/**
 * The files this tab is writing to the device right now. A file shows from the moment it is dropped, from
 * the bytes the page was handed, rather than once it is saved and hashed (for a large file, seconds later):
 * its record, which every device syncs, is committed only once the bytes are saved, so nothing is promised
 * to other devices before it holds.
 */

/** A file being saved: what its view shows until its record replaces it. */
export interface SaveInProgress {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly startedAt: number;
  /** The bytes being saved, as the page handed them over. */
  readonly blob: Blob;
}

/**
 * Listeners hear of changes at once, then at most this often: a drop of a thousand small files starts and
 * ends a save every few milliseconds, and each change rebuilds every file's view.
 */
const COALESCE_MS = 50;

/**
 * The longest a save waits for the page to show the file it was dropped as: past it, the save starts beside
 * the display, as it would with nothing shown. It bounds how long a dropped file is only in the page's hands.
 */
export const DISPLAY_FIRST_MS = 500;

interface Entry {
  readonly save: SaveInProgress;
  readonly ended: Promise<void>;
  readonly end: () => void;
  /** Displays of its bytes not painted yet (`holdForDisplay`). */
  displays: number;
  /** Lets the save waiting in `shownFirst` go on, once no display is left. */
  shown: (() => void) | undefined;
}

export class SavesInProgress {
  readonly #byId = new Map<string, Entry>();
  #lastTold = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `changed` runs after starts and ends: the views show the file, then its record. */
  constructor(private readonly changed: () => void) {}

  /** Newest first, as the views list files. */
  list(): SaveInProgress[] {
    return [...this.#byId.values()].map((entry) => entry.save).reverse();
  }

  get(id: string): SaveInProgress | undefined {
    return this.#byId.get(id)?.save;
  }

  start(save: SaveInProgress): void {
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.#byId.set(save.id, { save, ended, end, displays: 0, shown: undefined });
    this.#tell();
  }

  /**
   * The page is about to show the file being saved from its bytes (a photo just dropped): a save that yields
   * to its display (`shownFirst`) waits until the returned function is called, once the image is painted or
   * will not be. Calling it again does nothing; for a file not being saved, nothing waits.
   */
  holdForDisplay(id: string): () => void {
    const entry = this.#byId.get(id);
    if (!entry) return () => {};
    entry.displays++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.displays === 0) entry.shown?.();
    };
  }

  /**
   * Resolves once the page has shown the file being saved, when it shows it: the elements that show it hear
   * of it within the task that started the save and hold it (`holdForDisplay`) before this looks. A large
   * photo decoded beside its save, its record's sync and its upload was shown markedly later on two cores
   * (bench/README.md, "local display"): the user sees the file first, and the save follows, at most
   * `DISPLAY_FIRST_MS` later.
   */
  async shownFirst(id: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const entry = this.#byId.get(id);
    if (!entry || entry.displays === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (entry.shown = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPLAY_FIRST_MS))),
      entry.ended,
    ]);
    clearTimeout(timer);
    entry.shown = undefined;
  }

  /** The save is over, recorded or failed: the record, if any, shows from now on. */
  end(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    this.#byId.delete(id);
    entry.end();
    this.#tell();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#byId.values()) entry.end();
  }

  #tell(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#lastTold + COALESCE_MS - performance.now();
    if (wait <= 0) {
      this.#lastTold = performance.now();
      this.changed();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastTold = performance.now();
      this.changed();
    }, wait);
  }

  /** Resolves once the file is no longer being saved (at once when it is not). */
  settled(id: string): Promise<void> {
    return this.#byId.get(id)?.ended ?? Promise.resolve();
  }
}
