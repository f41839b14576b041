import { expect } from '@open-wc/testing';
import { FileSyncError, TransferError } from '../../src/core/errors.js';
import { DownloadWorkerClient } from '../../src/core/transfers/download-client.js';
import { KitWorker } from '../../src/core/transfers/kit-worker.js';
import { WorkerSaves } from '../../src/core/transfers/worker-saves.js';
import type { DownloadJob } from '../../src/core/transfers/download-protocol.js';

/** A download worker that takes every job and never answers (a fault injected on purpose: a worker that lost it). */
const SILENT_WORKER = URL.createObjectURL(new Blob(['self.onmessage = () => {};'], { type: 'text/javascript' }));

const downloadJob: DownloadJob = {
  id: 'silent',
  remoteKey: `silent/${'a'.repeat(64)}`,
  size: 10,
  hash: 'a'.repeat(64),
  endpoint: 'http://127.0.0.1:9',
  storeId: 'silent-store',
  token: 'none',
  idleTimeoutMs: 100,
  localDirectory: 'silent-test',
};

describe('download worker client', () => {
  it('gives up a download its worker says nothing of (fault injected: a silent worker), as a retryable failure, so its lane moves on', async () => {
    const worker = new KitWorker(new URL(SILENT_WORKER));
    const client = new DownloadWorkerClient(worker, () => Promise.reject(new Error('not run in the page')), 300);
    const started = Date.now();
    const outcome = await client.run(downloadJob, new AbortController().signal, () => {}).then(
      () => 'finished',
      (error: unknown) => error,
    );
    client.close();
    worker.close();
    expect(outcome).to.be.instanceOf(TransferError);
    expect((outcome as TransferError).retryable).to.equal(true);
    expect(Date.now() - started, 'given up after its silence limit, not at once').to.be.at.least(300);
  });
});

/** A kit worker whose script throws as it starts (a fault injected on purpose: a worker that cannot run). */
const BROKEN_WORKER = URL.createObjectURL(new Blob(['throw new Error("broken on purpose");'], { type: 'text/javascript' }));

describe('the kit worker a tab shares between its saves and its downloads', () => {
  it('once it cannot run (fault injected: its script throws), saves fail saying why and downloads run in the page', async () => {
    const worker = new KitWorker(new URL(BROKEN_WORKER));
    const saves = new WorkerSaves(worker);
    let ranInPage = 0;
    const client = new DownloadWorkerClient(worker, async () => void ranInPage++, 60_000);
    const job = { storeId: 'broken-store', localDirectory: 'broken-test', id: 'broken', blob: new Blob(['x']) };
    const first = await saves.save(job).then(
      () => 'saved',
      (error: unknown) => error,
    );
    expect(first).to.be.instanceOf(FileSyncError);
    expect((first as FileSyncError).code).to.equal('worker_unavailable');
    expect((first as FileSyncError).message).to.match(/could not write the file/);
    // Told once: later saves fail at once the same way, and a download runs in the page.
    expect(((await saves.save(job).catch((error: unknown) => error)) as FileSyncError).code).to.equal('worker_unavailable');
    await client.run({ ...downloadJob, id: 'in-page' }, new AbortController().signal, () => {});
    expect(ranInPage).to.equal(1);
    client.close();
    saves.close();
    worker.close();
  });
});
