/**
 * Runs transfers with bounded concurrency per lane, retries transient failures with exponential backoff and
 * jitter (or the server's Retry-After), and hands permanent failures back to its owner.
 *
 * The owner declares the whole desired set with `sync(jobs)` after every change; jobs that left the set
 * (a file deleted mid-upload) are aborted. A job is in exactly one phase at a time: queued, running or
 * waiting for its retry.
 */
import { FileSyncError, TransferError } from '../errors.js';

export type Lane = 'upload' | 'download' | 'delete';

export interface Job {
  readonly key: string;
  readonly lane: Lane;
  /** Higher runs first (a file on screen before background downloads). */
  readonly priority?: number;
  run(signal: AbortSignal): Promise<void>;
}

type Phase =
  | { readonly kind: 'queued' }
  | { readonly kind: 'running'; readonly controller: AbortController }
  | {
      readonly kind: 'waiting';
      readonly retryAt: number;
      readonly timer: ReturnType<typeof setTimeout>;
      /** The failure got no answer at all (vs. a server that answered and asked to wait, e.g. 503 with Retry-After). */
      readonly unanswered: boolean;
    };

interface Entry<J extends Job> {
  job: J;
  phase: Phase;
  attempt: number;
  boost: number;
}

export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface TransferQueueOptions<J extends Job = Job> {
  readonly concurrency?: Partial<Record<Lane, number>>;
  readonly retry?: Partial<RetryPolicy>;
  /** Consulted before a job starts: false while offline or while the backend is unreachable. */
  readonly canStart?: () => boolean;
  readonly onRetryScheduled?: (job: J, attempt: number, retryAt: number, error: unknown) => void;
  /** A permanent failure: the job is dropped, its owner records why. */
  readonly onFailure?: (job: J, error: unknown) => void;
  /** A transient failure with no response at all (status 0): a hint that the backend may be down. */
  readonly onNetworkError?: () => void;
  readonly onSettled?: (job: J) => void;
}

const DEFAULT_CONCURRENCY: Record<Lane, number> = { upload: 2, download: 3, delete: 2 };

/** Runs jobs of type `J` (with what their owner needs to know of each) by lane, with retries. */
export class TransferQueue<J extends Job = Job> {
  readonly #entries = new Map<string, Entry<J>>();
  readonly #concurrency: Record<Lane, number>;
  readonly #retry: RetryPolicy;
  #stopped = false;

  constructor(private readonly options: TransferQueueOptions<J> = {}) {
    this.#concurrency = { ...DEFAULT_CONCURRENCY, ...options.concurrency };
    this.#retry = { baseMs: 1000, maxMs: 60_000, ...options.retry };
  }

  /** Makes the queue hold exactly these jobs: new ones are queued, missing ones aborted. */
  sync(jobs: readonly J[]): void {
    if (this.#stopped) return;
    const wanted = new Map(jobs.map((job) => [job.key, job]));
    for (const [key, entry] of this.#entries) {
      if (!wanted.has(key)) this.#drop(key, entry);
    }
    for (const [key, job] of wanted) {
      const entry = this.#entries.get(key);
      if (entry) entry.job = job;
      else this.#entries.set(key, { job, phase: { kind: 'queued' }, attempt: 0, boost: 0 });
    }
    this.#pump();
  }

  /** Moves a job ahead of the others in its lane. */
  prioritize(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.boost = Date.now();
    if (entry.phase.kind === 'waiting') this.#requeue(entry);
    this.#pump();
  }

  /**
   * Runs jobs waiting for a retry now. `unansweredOnly` (the network or the backend came back) leaves the
   * jobs a server asked to wait (429, 503 with Retry-After): its answer, not connectivity, was the problem.
   */
  retryNow({ unansweredOnly = false }: { unansweredOnly?: boolean } = {}): void {
    for (const entry of this.#entries.values()) {
      if (entry.phase.kind === 'waiting' && (!unansweredOnly || entry.phase.unanswered)) this.#requeue(entry);
    }
    this.#pump();
  }

  /** Starts whatever can start (call after `canStart` turns true). */
  kick(): void {
    this.#pump();
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const [key, entry] of this.#entries) this.#drop(key, entry);
  }

  #drop(key: string, entry: Entry<J>): void {
    this.#entries.delete(key);
    if (entry.phase.kind === 'running') entry.phase.controller.abort(new DOMException('Transfer cancelled', 'AbortError'));
    if (entry.phase.kind === 'waiting') clearTimeout(entry.phase.timer);
  }

  #requeue(entry: Entry<J>): void {
    if (entry.phase.kind === 'waiting') clearTimeout(entry.phase.timer);
    entry.phase = { kind: 'queued' };
  }

  #running(lane: Lane): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.job.lane === lane && entry.phase.kind === 'running') n++;
    return n;
  }

  /**
   * Starts the first-ranked queued jobs of each lane with room. Picked by a scan per job started rather than
   * by sorting the queue: a job ends one at a time, and sorting a thousand queued files for each one left
   * was most of the queue's work in the many-files bench case.
   */
  #pump(): void {
    if (this.#stopped || (this.options.canStart && !this.options.canStart())) return;
    const running: Record<Lane, number> = { upload: this.#running('upload'), download: this.#running('download'), delete: this.#running('delete') };
    for (;;) {
      let next: Entry<J> | undefined;
      for (const entry of this.#entries.values()) {
        if (entry.phase.kind !== 'queued' || running[entry.job.lane] >= this.#concurrency[entry.job.lane]) continue;
        // Strictly before: among equals, the one queued first.
        if (next === undefined || (entry.boost - next.boost || (entry.job.priority ?? 0) - (next.job.priority ?? 0)) > 0) next = entry;
      }
      if (next === undefined) return;
      running[next.job.lane]++;
      this.#start(next);
    }
  }

  #start(entry: Entry<J>): void {
    const controller = new AbortController();
    entry.phase = { kind: 'running', controller };
    const { job } = entry;
    job.run(controller.signal).then(
      () => {
        if (this.#entries.get(job.key) === entry) this.#entries.delete(job.key);
        this.options.onSettled?.(job);
        this.#pump();
      },
      (error: unknown) => {
        // Dropped while running (the file was deleted, the queue stopped): nothing more to do.
        if (this.#entries.get(job.key) !== entry || controller.signal.aborted) {
          this.#pump();
          return;
        }
        if (isRetryable(error)) {
          entry.attempt++;
          const retryAt = Date.now() + this.#delay(entry.attempt, error);
          const timer = setTimeout(() => {
            if (this.#entries.get(job.key) !== entry) return;
            entry.phase = { kind: 'queued' };
            this.#pump();
          }, retryAt - Date.now());
          const unanswered = !(error instanceof TransferError) || error.status === 0;
          entry.phase = { kind: 'waiting', retryAt, timer, unanswered };
          if (unanswered) this.options.onNetworkError?.();
          this.options.onRetryScheduled?.(job, entry.attempt, retryAt, error);
        } else {
          this.#entries.delete(job.key);
          this.options.onFailure?.(job, error);
          this.options.onSettled?.(job);
        }
        this.#pump();
      },
    );
  }

  /** Equal jitter: between half and all of the exponential bound, so many clients do not retry in step. */
  #delay(attempt: number, error: unknown): number {
    if (error instanceof TransferError && error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, this.#retry.maxMs * 10);
    const bound = Math.min(this.#retry.maxMs, this.#retry.baseMs * 2 ** (attempt - 1));
    return bound / 2 + Math.random() * (bound / 2);
  }
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof TransferError) return error.retryable;
  if (error instanceof FileSyncError) return false;
  // An unexpected TypeError from fetch or a stream reset mid-body: the network, most likely.
  return error instanceof TypeError;
}
