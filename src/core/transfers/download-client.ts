/**
 * The page's side of downloads run in the kit's worker (kit-worker.ts): hands it jobs, and turns its reports
 * back into progress, results and the errors the retry policy expects. Where the worker cannot run (its
 * script is not served next to the kit, as when an app bundles the core itself, or it crashed), its
 * downloads and every later one run in the page instead.
 */
import { TransferError } from '../errors.js';
import { fromWire, type DownloadJob, type DownloadTarget } from './download-protocol.js';
import type { KitWorker } from './kit-worker.js';

type RunDownload = (target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void) => Promise<void>;

interface Pending {
  readonly job: DownloadJob;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: (loaded: number) => void;
  /** When the worker last said something of this job (its start counts). */
  heardAt: number;
}

/**
 * A job the worker has said nothing of for this long (no progress, no end) is given up and retried: a lane
 * must never wait without end for a worker that lost it. Progress comes with every chunk the network brings,
 * and a stalled connection ends within the job's own idle timeout, well before this.
 */
const SILENCE_LIMIT_MS = 60_000;
const SILENCE_CHECK_MS = 5_000;

export class DownloadWorkerClient {
  readonly #pending = new Map<number, Pending>();
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #warned = false;

  constructor(
    private readonly worker: KitWorker,
    private readonly inPage: RunDownload,
    /** How long a job may go unheard of (at least three of its idle timeouts); shorter in tests. */
    private readonly silenceLimitMs = SILENCE_LIMIT_MS,
  ) {}

  run(job: DownloadJob, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    signal.throwIfAborted();
    if (this.worker.failure !== undefined) return this.inPage(job, signal, onProgress);
    return new Promise<void>((resolve, reject) => {
      const abort = () => this.worker.abort(jobId);
      const settle = () => {
        signal.removeEventListener('abort', abort);
        this.#pending.delete(jobId);
        this.worker.end(jobId);
      };
      const pending: Pending = {
        job,
        resolve: () => (settle(), resolve()),
        reject: (error) => (settle(), reject(error)),
        onProgress,
        heardAt: Date.now(),
      };
      const jobId = this.worker.post(
        { type: 'start', job },
        {
          report: (report) => {
            pending.heardAt = Date.now();
            if (report.type === 'progress') pending.onProgress(report.loaded);
            else if (report.type === 'done') pending.resolve();
            else if (report.type === 'failed') pending.reject(fromWire(report.error, signal));
          },
          failed: (reason) => {
            if (!this.#warned) console.warn('[ls-file-sync] the kit\'s worker failed; downloads run in the page', reason);
            this.#warned = true;
            settle();
            this.inPage(job, signal, onProgress).then(resolve, reject);
          },
        },
      );
      signal.addEventListener('abort', abort, { once: true });
      this.#pending.set(jobId, pending);
      this.#watchdog ??= setInterval(() => this.#giveUpSilent(), Math.min(SILENCE_CHECK_MS, this.silenceLimitMs));
    });
  }

  #giveUpSilent(): void {
    const now = Date.now();
    for (const [jobId, pending] of this.#pending) {
      if (now - pending.heardAt < Math.max(this.silenceLimitMs, 3 * pending.job.idleTimeoutMs)) continue;
      this.worker.abort(jobId);
      pending.reject(new TransferError('network', 'The download worker said nothing of this download for too long', 0, true));
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  /** Stops this tab's downloads (the tab stops leading, or closes): those running fail as aborted. */
  close(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    for (const [jobId, pending] of [...this.#pending]) {
      this.worker.abort(jobId);
      pending.reject(new DOMException('The file sync was closed', 'AbortError'));
    }
  }
}
