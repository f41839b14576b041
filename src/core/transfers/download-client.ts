/**
 * The page's side of the download worker: starts it on the first download, hands it jobs, and turns its
 * reports back into progress, results and the errors the retry policy expects. Where the worker cannot run
 * (its script is not served next to the kit, as when an app bundles the core itself, or it crashed), its
 * downloads and every later one run in the page instead.
 */
import { TransferError } from '../errors.js';
import { fromWire, type DownloadJob, type DownloadReport, type DownloadRequest, type DownloadTarget } from './download-protocol.js';

type RunDownload = (target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void) => Promise<void>;

interface Pending {
  readonly job: DownloadJob;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: (loaded: number) => void;
  readonly signal: AbortSignal;
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
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #nextId = 1;
  #broken = false;

  constructor(
    private readonly url: URL,
    private readonly inPage: RunDownload,
    /** How long a job may go unheard of (at least three of its idle timeouts); shorter in tests. */
    private readonly silenceLimitMs = SILENCE_LIMIT_MS,
  ) {}

  run(job: DownloadJob, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    signal.throwIfAborted();
    if (this.#broken) return this.inPage(job, signal, onProgress);
    const worker = (this.#worker ??= this.#start());
    const jobId = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const abort = () => worker.postMessage({ type: 'abort', jobId } satisfies DownloadRequest);
      signal.addEventListener('abort', abort, { once: true });
      const settle = () => {
        signal.removeEventListener('abort', abort);
        this.#pending.delete(jobId);
      };
      this.#pending.set(jobId, {
        job,
        resolve: () => (settle(), resolve()),
        reject: (error) => (settle(), reject(error)),
        onProgress,
        signal,
        heardAt: Date.now(),
      });
      this.#watchdog ??= setInterval(() => this.#giveUpSilent(), Math.min(SILENCE_CHECK_MS, this.silenceLimitMs));
      worker.postMessage({ type: 'start', jobId, job } satisfies DownloadRequest);
    });
  }

  #giveUpSilent(): void {
    const now = Date.now();
    for (const [jobId, pending] of this.#pending) {
      if (now - pending.heardAt < Math.max(this.silenceLimitMs, 3 * pending.job.idleTimeoutMs)) continue;
      this.#worker?.postMessage({ type: 'abort', jobId } satisfies DownloadRequest);
      pending.reject(new TransferError('network', 'The download worker said nothing of this download for too long', 0, true));
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  /** Stops the worker; downloads still running fail as aborted. */
  close(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const pending of [...this.#pending.values()]) pending.reject(new DOMException('The file sync was closed', 'AbortError'));
  }

  #start(): Worker {
    const worker = new Worker(this.url, { type: 'module', name: 'ls-file-sync downloads' });
    worker.onmessage = (event: MessageEvent<DownloadReport>) => {
      const report = event.data;
      const pending = this.#pending.get(report.jobId);
      if (pending === undefined) return;
      pending.heardAt = Date.now();
      if (report.type === 'progress') pending.onProgress(report.loaded);
      else if (report.type === 'done') pending.resolve();
      else if (report.type === 'failed') pending.reject(fromWire(report.error, pending.signal));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      console.warn('[ls-file-sync] the download worker failed; downloads run in the page', event.message);
      this.#broken = true;
      this.#worker = undefined;
      worker.terminate();
      for (const pending of [...this.#pending.values()]) {
        this.inPage(pending.job, pending.signal, pending.onProgress).then(pending.resolve, pending.reject);
      }
    };
    return worker;
  }
}
