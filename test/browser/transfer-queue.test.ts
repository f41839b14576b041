import { expect } from '@open-wc/testing';
import { TransferQueue, type Job, type Lane } from '../../src/core/transfers/transfer-queue.js';

/** Jobs whose transfers the test ends by hand, the order they started in, and those still running. */
function jobs() {
  const started: string[] = [];
  const running = new Map<string, () => void>();
  const job = (key: string, lane: Lane = 'download'): Job => ({
    key,
    lane,
    run: () => {
      started.push(key);
      return new Promise<void>((resolve) => running.set(key, resolve));
    },
  });
  /** Ends a running job and lets the queue start what comes next. */
  const end = async (key: string) => {
    running.get(key)!();
    running.delete(key);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { started, job, end, running: () => [...running.keys()] };
}

describe('transfer queue', () => {
  it('starts jobs in the order they came, at most the lane’s concurrency at once', async () => {
    const { started, job, end, running } = jobs();
    const queue = new TransferQueue({ concurrency: { download: 2 } });
    queue.sync(['a', 'b', 'c', 'd', 'e'].map((key) => job(key)));
    expect(started).to.deep.equal(['a', 'b']);
    await end('b');
    expect(started).to.deep.equal(['a', 'b', 'c']);
    expect(running()).to.deep.equal(['a', 'c']);
    await end('a');
    await end('c');
    expect(started).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    queue.stop();
  });

  it('starts a prioritized job next, ahead of those queued before it (the file scrolled to comes first)', async () => {
    const { started, job, end } = jobs();
    const queue = new TransferQueue({ concurrency: { download: 1 } });
    queue.sync(['a', 'b', 'c', 'd'].map((key) => job(key)));
    queue.prioritize('d');
    expect(started).to.deep.equal(['a'], 'a running job is not interrupted');
    await end('a');
    await end('d');
    await end('b');
    expect(started).to.deep.equal(['a', 'd', 'b', 'c']);
    queue.stop();
  });

  it('keeps lanes apart: uploads filling their lane do not hold back a download', async () => {
    const { started, job } = jobs();
    const queue = new TransferQueue({ concurrency: { upload: 1, download: 1 } });
    queue.sync([job('up-1', 'upload'), job('up-2', 'upload'), job('down-1')]);
    expect(started).to.deep.equal(['up-1', 'down-1']);
    queue.stop();
  });
});
