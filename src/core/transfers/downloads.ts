/**
 * Where a download runs: in the kit's download worker where workers exist (pages), since reading, hashing
 * and writing every byte cost the main thread 1.6 s per 256 MiB; in place elsewhere, or when the app turns
 * the worker off.
 */
import { kitAssetUrls } from '../workers/assets.js';
import { DownloadWorkerClient } from './download-client.js';
import type { DownloadJob, DownloadTarget } from './download-protocol.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';

export class Downloads {
  readonly #worker: DownloadWorkerClient | undefined;

  constructor(
    private readonly remote: RemoteFileStorage,
    private readonly local: FileStorage,
    useWorker: boolean,
  ) {
    this.#worker = useWorker && typeof Worker === 'function' ? new DownloadWorkerClient(kitAssetUrls().downloadWorker, this.#inPage) : undefined;
  }

  /** Fetches a file's bytes into a verified local copy (see download-job.ts). */
  run(target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> {
    if (this.#worker === undefined) return this.#inPage(target, signal, onProgress);
    const job: DownloadJob = {
      ...target,
      endpoint: this.remote.config.endpoint,
      storeId: this.local.storeId,
      token: this.remote.config.token(),
      idleTimeoutMs: this.remote.idleTimeoutMs,
      localDirectory: this.local.root,
    };
    return this.#worker.run(job, signal, onProgress);
  }

  close(): void {
    this.#worker?.close();
  }

  /** Loaded when first needed: a page whose downloads all run in the worker never loads this code. */
  #inPage = async (target: DownloadTarget, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<void> => {
    const { runDownload } = await import('./download-job.js');
    return runDownload(this.remote, this.local, target, signal, onProgress);
  };
}
