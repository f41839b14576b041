/**
 * The page's side of the download worker: starts it on the first download, hands it jobs, and turns its
 * reports back into progress, results and the errors the retry policy expects.
 */
import { fromWire, type DownloadJob, type DownloadReport, type DownloadRequest } from './download-job.js';

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: (loaded: number) => void;
  readonly signal: AbortSignal;
}

export class DownloadWorkerClient {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(private readonly url: URL) {}

  run(job: DownloadJob, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    signal.throwIfAborted();
    const worker = (this.#worker ??= this.#start());
    const jobId = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const abort = () => this.#send(worker, { type: 'abort', jobId });
      signal.addEventListener('abort', abort, { once: true });
      const settle = () => {
        signal.removeEventListener('abort', abort);
        this.#pending.delete(jobId);
      };
      this.#pending.set(jobId, {
        resolve: () => (settle(), resolve()),
        reject: (error) => (settle(), reject(error)),
        onProgress,
        signal,
      });
      this.#send(worker, { type: 'start', jobId, job });
    });
  }

  /** Stops the worker; downloads still running fail as aborted. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const pending of [...this.#pending.values()]) pending.reject(new DOMException('The file sync was closed', 'AbortError'));
  }

  #send(worker: Worker, request: DownloadRequest): void {
    worker.postMessage(request);
  }

  #start(): Worker {
    const worker = new Worker(this.url, { type: 'module', name: 'ls-file-sync downloads' });
    worker.onmessage = (event: MessageEvent<DownloadReport>) => {
      const report = event.data;
      const pending = this.#pending.get(report.jobId);
      if (pending === undefined) return;
      if (report.type === 'progress') pending.onProgress(report.loaded);
      else if (report.type === 'done') pending.resolve();
      else pending.reject(fromWire(report.error, pending.signal));
    };
    // The worker could not start or crashed: what it was running fails like a lost connection (retried),
    // and the next download starts a new one.
    worker.onerror = (event) => {
      event.preventDefault();
      if (this.#worker === worker) this.#worker = undefined;
      worker.terminate();
      for (const pending of [...this.#pending.values()]) pending.reject(new TypeError(`The download worker failed: ${event.message}`));
    };
    return worker;
  }
}
