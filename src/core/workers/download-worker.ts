/**
 * The leader's download worker: runs `runDownload` for the page, off its main thread (see download-job.ts).
 * One per leading `FileSync`; jobs arrive with what they need (the token of the moment included) and
 * report progress, then done or failed. It also saves files for a page that cannot write them itself.
 */
import { runDownload } from '../transfers/download-job.js';
import { toWire, type DownloadReport, type DownloadRequest } from '../transfers/download-protocol.js';
import { canWriteInPlace } from '../storage/in-place-write.js';
import { canCreateWritable, LocalFileStorage } from '../storage/local-storage.js';
import { RemoteFileStorage } from '../storage/remote-storage.js';

const running = new Map<number, AbortController>();

/** One per store directory, so its OPFS directory is looked up once, not for each of many small downloads. */
const locals = new Map<string, LocalFileStorage>();
function localStorageFor(storeId: string, directory: string): LocalFileStorage {
  const key = `${directory}/${storeId}`;
  let local = locals.get(key);
  if (local === undefined) locals.set(key, (local = new LocalFileStorage(storeId, directory)));
  return local;
}
const post = (report: DownloadReport) => self.postMessage(report);

self.onmessage = async (event: MessageEvent<DownloadRequest>) => {
  const request = event.data;
  if (request.type === 'abort') {
    running.get(request.jobId)?.abort(new DOMException('Aborted', 'AbortError'));
    return;
  }
  if (request.type === 'can-write') {
    post({ type: 'can-write', jobId: request.jobId, canWrite: canWriteInPlace() || canCreateWritable() });
    return;
  }
  if (request.type === 'save') {
    const { jobId, job } = request;
    try {
      const { hash, size } = await localStorageFor(job.storeId, job.localDirectory).writeBlob(job.id, job.blob);
      post({ type: 'saved', jobId, hash, size });
    } catch (error) {
      post({ type: 'failed', jobId, error: toWire(error) });
    }
    return;
  }
  const { jobId, job } = request;
  const controller = new AbortController();
  running.set(jobId, controller);
  const remote = new RemoteFileStorage({ endpoint: job.endpoint, storeId: job.storeId, token: () => job.token, idleTimeoutMs: job.idleTimeoutMs });
  const local = localStorageFor(job.storeId, job.localDirectory);
  try {
    await runDownload(remote, local, job, controller.signal, (loaded) => post({ type: 'progress', jobId, loaded }));
    post({ type: 'done', jobId });
  } catch (error) {
    post({ type: 'failed', jobId, error: toWire(error) });
  } finally {
    running.delete(jobId);
  }
};
