/**
 * Commits the events of many small confirmations (an upload done, a download stored, an image described)
 * together. Each LiveStore commit re-runs every query the store watches over all its rows, so a queue that
 * confirms 1,000 small uploads one commit at a time pays for 1,000 full re-reads, and the cost of each grows
 * with the store. The first confirmation after a quiet spell is committed at once (a lone upload waits for
 * nothing); the ones that follow are committed together when the interval since the last commit ends. The
 * interval is six times what the last commit took (between `minIntervalMs` and `maxIntervalMs`), so
 * committing confirmations keeps to about a seventh of the main thread however large the store grows. A
 * commit takes at most `maxPerCommit` confirmations (the rest wait for the next interval): LiveStore runs
 * each event's materializer in the page at a millisecond or more apiece. With 1,000 files a commit of
 * twenty was a task of 50 ms and one of ten 30-60 ms; with five, six runs of the bench's `many files` case
 * had one task over 50 ms (52) where three of five runs with ten had one (87-132), and the sync took as long.
 *
 * Each confirmation has a key (a job's key): until it is committed, `has(key)` tells the owner that the
 * work is done even though the store does not say so yet, so it is not planned again.
 */
export class CommitBatcher<E, K extends string = string> {
  readonly #pending = new Map<K, E[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastCommitAt = Number.NEGATIVE_INFINITY;
  #intervalMs: number;

  constructor(
    private readonly commit: (events: E[], keys: readonly K[]) => void,
    private readonly minIntervalMs = 50,
    private readonly maxIntervalMs = 1000,
    private readonly maxPerCommit = 5,
  ) {
    this.#intervalMs = minIntervalMs;
  }

  add(key: K, ...events: E[]): void {
    const pending = this.#pending.get(key);
    if (pending) pending.push(...events);
    else this.#pending.set(key, events);
    this.#schedule();
  }

  has(key: K): boolean {
    return this.#pending.has(key);
  }

  /** Forgets what is pending, uncommitted (the work it confirms was abandoned). */
  drop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  /** Commits everything pending now, together (before the store closes). */
  flush(): void {
    this.#commit(this.#pending.size);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#pending.size === 0) return;
    const wait = this.#lastCommitAt + this.#intervalMs - performance.now();
    if (wait <= 0) this.#commit(this.maxPerCommit);
    else
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#commit(this.maxPerCommit);
      }, wait);
  }

  /** Commits the `count` oldest pending confirmations, and schedules the rest. */
  #commit(count: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const keys = [...this.#pending.keys()].slice(0, count);
    const events = keys.flatMap((key) => this.#pending.get(key) ?? []);
    for (const key of keys) this.#pending.delete(key);
    const start = performance.now();
    try {
      this.commit(events, keys);
    } finally {
      this.#lastCommitAt = performance.now();
      this.#intervalMs = Math.min(this.maxIntervalMs, Math.max(this.minIntervalMs, 6 * (this.#lastCommitAt - start)));
      this.#schedule();
    }
  }
}
