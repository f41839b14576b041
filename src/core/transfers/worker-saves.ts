/**
 * The page's side of saves run by the download worker, for a page that cannot write files itself (no
 * `createWritable()`, as in Safari before 26): the worker writes through a sync access handle. Started on
 * the first such save. A worker that cannot start or fails fails its saves with a reason a user can read,
 * and every later one.
 */
import { FileSyncError } from '../errors.js';
import type { WriteResult } from '../storage/file-storage.js';
import { fromWire, type DownloadReport, type DownloadRequest, type SaveJob } from './download-protocol.js';

interface Pending {
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (error: unknown) => void;
}

/** How long the worker has to say whether it can write before it is taken to be unable. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether the kit's worker at `url` can write files, for a page that cannot (no createWritable): Safari before
 * 26 can, through a sync access handle; WebKitGTK's private file system has neither, and keeps files in memory.
 */
export function workerCanWrite(url: URL): Promise<boolean> {
  if (typeof Worker !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    let worker: Worker | undefined;
    const done = (canWrite: boolean) => {
      clearTimeout(timer);
      worker?.terminate();
      resolve(canWrite);
    };
    const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
    try {
      worker = new Worker(url, { type: 'module', name: 'ls-file-sync storage probe' });
      worker.onmessage = (event: MessageEvent<DownloadReport>) => done(event.data.type === 'can-write' && event.data.canWrite);
      worker.onerror = (event) => (event.preventDefault(), done(false));
      worker.postMessage({ type: 'can-write', jobId: 0 } satisfies DownloadRequest);
    } catch {
      done(false);
    }
  });
}

/** The worker is not there (its script not served next to the kit, as when an app bundles the core) or failed. */
const unavailable = (detail: string) =>
  new FileSyncError('worker_unavailable', `This browser could not write the file to this device's storage (${detail})`);

export class WorkerSaves {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #broken: string | undefined;

  constructor(private readonly url: URL) {}

  save(job: SaveJob): Promise<WriteResult> {
    if (this.#broken !== undefined) return Promise.reject(unavailable(this.#broken));
    const worker = (this.#worker ??= this.#start());
    const jobId = this.#nextId++;
    return new Promise<WriteResult>((resolve, reject) => {
      this.#pending.set(jobId, { resolve, reject });
      worker.postMessage({ type: 'save', jobId, job } satisfies DownloadRequest);
    });
  }

  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failAll(new DOMException('The file sync was closed', 'AbortError'));
  }

  #start(): Worker {
    const worker = new Worker(this.url, { type: 'module', name: 'ls-file-sync saves' });
    worker.onmessage = (event: MessageEvent<DownloadReport>) => {
      const report = event.data;
      const pending = this.#pending.get(report.jobId);
      if (pending === undefined || report.type === 'progress' || report.type === 'done' || report.type === 'can-write') return;
      this.#pending.delete(report.jobId);
      if (report.type === 'saved') pending.resolve({ hash: report.hash, size: report.size });
      else pending.reject(fromWire(report.error, AbortSignal.abort()));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#broken = event.message || 'its worker did not start';
      this.#worker = undefined;
      worker.terminate();
      this.#failAll(unavailable(this.#broken));
    };
    return worker;
  }

  #failAll(error: unknown): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
