/**
 * The transfer under way for each file, as this tab knows it: its own, when it leads; else what the leading
 * tab last reported. Progress arrives per chunk; listeners hear of it at most every 100 ms.
 */
import type { TransferActivity } from './state.js';

const THROTTLE_MS = 100;

export class TransferActivities {
  readonly #byId = new Map<string, TransferActivity>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** `changed` runs at most every 100 ms after changes made with `set`. */
  constructor(private readonly changed: () => void) {}

  get(id: string): TransferActivity | undefined {
    return this.#byId.get(id);
  }

  ids(): IterableIterator<string> {
    return this.#byId.keys();
  }

  entries(): (readonly [string, TransferActivity])[] {
    return [...this.#byId];
  }

  set(id: string, activity: TransferActivity | undefined): void {
    if (this.#closed) return;
    if (activity === undefined) {
      if (!this.#byId.delete(id)) return;
    } else {
      this.#byId.set(id, activity);
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.changed();
    }, THROTTLE_MS);
  }

  /** Takes every activity from a report of the leading tab (the caller shows it at once). */
  replace(entries: readonly (readonly [string, TransferActivity])[]): void {
    this.#byId.clear();
    for (const [id, activity] of entries) this.#byId.set(id, activity);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
