/**
 * Commits the events of many small confirmations (an upload done, a download stored, an image described)
 * together. Each LiveStore commit re-runs every query the store watches over all its rows, so a queue that
 * confirms 1,000 small uploads one commit at a time pays for 1,000 full re-reads, and the cost of each grows
 * with the store. The first confirmation after a quiet spell is committed at once (a lone upload waits for
 * nothing); the ones that follow are committed together when the interval since the last commit ends. The
 * interval is ten times what the last commit took (between `minIntervalMs` and `maxIntervalMs`), so
 * committing confirmations keeps to about a tenth of the main thread however large the store grows.
 *
 * Each confirmation has a key (a job's key): until it is committed, `has(key)` tells the owner that the
 * work is done even though the store does not say so yet, so it is not planned again.
 */
export class CommitBatcher<E> {
  readonly #pending = new Map<string, E[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastCommitAt = Number.NEGATIVE_INFINITY;
  #intervalMs: number;

  constructor(
    private readonly commit: (events: E[], keys: readonly string[]) => void,
    private readonly minIntervalMs = 50,
    private readonly maxIntervalMs = 1000,
  ) {
    this.#intervalMs = minIntervalMs;
  }

  add(key: string, ...events: E[]): void {
    const pending = this.#pending.get(key);
    if (pending) pending.push(...events);
    else this.#pending.set(key, events);
    if (this.#timer !== undefined) return;
    const wait = this.#lastCommitAt + this.#intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  has(key: string): boolean {
    return this.#pending.has(key);
  }

  /** Commits what is pending now (also before the store closes). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const keys = [...this.#pending.keys()];
    const events = [...this.#pending.values()].flat();
    this.#pending.clear();
    const start = performance.now();
    try {
      this.commit(events, keys);
    } finally {
      this.#lastCommitAt = performance.now();
      this.#intervalMs = Math.min(this.maxIntervalMs, Math.max(this.minIntervalMs, 10 * (this.#lastCommitAt - start)));
    }
  }
}
