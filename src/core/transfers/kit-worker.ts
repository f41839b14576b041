/**
 * The tab's one instance of the kit's file worker (workers/download-worker.ts), shared by the tab's saves that
 * run in a worker (large files, and every file where the page cannot write files itself) and, while the tab
 * leads, its downloads: one worker started and kept, not one for each. Started on the first job; each job's
 * reports go to whoever posted it. A worker that cannot start or fails ends every job under way with the
 * reason, and is not started again.
 */
import type { DownloadReport, DownloadRequest } from './download-protocol.js';

/** Whoever posted a job: hears its reports, and of the worker's failure while it is under way. */
export interface WorkerJob {
  report(report: DownloadReport): void;
  failed(reason: string): void;
}

/** Each kind of request without its job number (distributed over the union, so each kind keeps its fields). */
type WithoutJobId<R> = R extends unknown ? Omit<R, 'jobId'> : never;

/** A request that begins a job (an abort refers to one), before it is given its number. */
export type NewJob = WithoutJobId<Exclude<DownloadRequest, { readonly type: 'abort' }>>;

export class KitWorker {
  #worker: Worker | undefined;
  readonly #jobs = new Map<number, WorkerJob>();
  #nextId = 1;
  #failure: string | undefined;

  constructor(private readonly url: URL) {
    if (typeof Worker !== 'function') this.#failure = 'this browser runs no workers here';
  }

  /** Why the worker cannot run (it did not start, or failed), once it is known. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /**
   * Posts a job, and returns its number; `job` hears of it until `end`. Where the worker cannot run, `job`
   * hears so once this call has returned.
   */
  post(request: NewJob, job: WorkerJob): number {
    const jobId = this.#nextId++;
    const failure = this.#failure;
    if (failure !== undefined) {
      queueMicrotask(() => job.failed(failure));
      return jobId;
    }
    const worker = (this.#worker ??= this.#start());
    this.#jobs.set(jobId, job);
    worker.postMessage({ ...request, jobId } as DownloadRequest);
    return jobId;
  }

  /** Asks the worker to stop a job; it still reports how the job ended. */
  abort(jobId: number): void {
    if (this.#jobs.has(jobId)) this.#worker?.postMessage({ type: 'abort', jobId } satisfies DownloadRequest);
  }

  /** Nothing more is heard of the job. */
  end(jobId: number): void {
    this.#jobs.delete(jobId);
  }

  /** Stops the worker. Whoever has jobs under way ends them first (their own close). */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#jobs.clear();
  }

  #start(): Worker {
    const worker = new Worker(this.url, { type: 'module', name: 'ls-file-sync files' });
    worker.onmessage = (event: MessageEvent<DownloadReport>) => this.#jobs.get(event.data.jobId)?.report(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = event.message || 'its worker did not start';
      this.#worker = undefined;
      worker.terminate();
      const jobs = [...this.#jobs.values()];
      this.#jobs.clear();
      for (const job of jobs) job.failed(this.#failure);
    };
    return worker;
  }
}
