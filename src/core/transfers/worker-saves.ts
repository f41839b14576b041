/**
 * The page's side of saves run by the kit's worker (kit-worker.ts): large files, whose copy and hash would
 * hold the main thread, and every file of a page that cannot write files itself (no `createWritable()`, as in
 * Safari before 26); the worker writes through a sync access handle. A worker that cannot start or fails
 * fails its saves with a reason a user can read, and every later one.
 */
import { FileSyncError } from '../errors.js';
import type { WriteResult } from '../storage/file-storage.js';
import { fromWire, type DownloadReport, type DownloadRequest, type SaveJob } from './download-protocol.js';
import type { KitWorker } from './kit-worker.js';

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
  /** Saves under way, by job: each one's to end as `close` or a failed worker would end it. */
  readonly #pending = new Map<number, (error: unknown) => void>();

  constructor(private readonly worker: KitWorker) {}

  save(job: SaveJob): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      const jobId = this.worker.post(
        { type: 'save', job },
        {
          report: (report) => {
            if (report.type !== 'saved' && report.type !== 'failed') return;
            this.#end(jobId);
            if (report.type === 'saved') resolve({ hash: report.hash, size: report.size });
            else reject(fromWire(report.error, AbortSignal.abort()));
          },
          failed: (reason) => {
            this.#end(jobId);
            reject(unavailable(reason));
          },
        },
      );
      this.#pending.set(jobId, reject);
    });
  }

  /** Ends the saves under way as aborted (the worker goes on: it is the tab's). */
  close(): void {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [jobId, reject] of pending) {
      this.worker.end(jobId);
      reject(new DOMException('The file sync was closed', 'AbortError'));
    }
  }

  #end(jobId: number): void {
    this.#pending.delete(jobId);
    this.worker.end(jobId);
  }
}
