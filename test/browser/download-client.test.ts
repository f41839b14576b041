import { expect } from '@open-wc/testing';
import { TransferError } from '../../src/core/errors.js';
import { DownloadWorkerClient } from '../../src/core/transfers/download-client.js';
import type { DownloadJob } from '../../src/core/transfers/download-protocol.js';

/** A download worker that takes every job and never answers (a fault injected on purpose: a worker that lost it). */
const SILENT_WORKER = URL.createObjectURL(new Blob(['self.onmessage = () => {};'], { type: 'text/javascript' }));

const job: DownloadJob = {
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
    const client = new DownloadWorkerClient(new URL(SILENT_WORKER), () => Promise.reject(new Error('not run in the page')), 300);
    const started = Date.now();
    const outcome = await client.run(job, new AbortController().signal, () => {}).then(
      () => 'finished',
      (error: unknown) => error,
    );
    client.close();
    expect(outcome).to.be.instanceOf(TransferError);
    expect((outcome as TransferError).retryable).to.equal(true);
    expect(Date.now() - started, 'given up after its silence limit, not at once').to.be.at.least(300);
  });
});
