import { expect } from '@open-wc/testing';
import { TransferError } from '../../src/core/errors.js';
import { RemoteFileStorage } from '../../src/core/storage/remote-storage.js';
import { proxyUrl, setFaults } from './helpers.js';

/** Garbage for the collector: WebKit lost a waiting request's abort to a collection (storage/request-signal.ts). */
function allocate(): void {
  const junk: { n: number; s: string }[] = [];
  for (let n = 0; n < 200_000; n++) junk.push({ n, s: `junk ${n}` });
}

/** What `attempt` came to, or `no end` when it neither answered nor failed within `ms`. */
async function outcome(attempt: Promise<string>, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no end within ${ms} ms`), ms)));
  return Promise.race([attempt, late]).finally(() => clearTimeout(timer));
}

describe('requests that get no answer (held on purpose by the proxy)', () => {
  afterEach(() => setFaults([], { reset: true }));

  it('gives each up at the idle timeout, probes and downloads alike, while the page allocates', async function () {
    this.timeout(120_000);
    // Held a few seconds, not for good: a connection the browser keeps after giving up is answered and freed
    // for the tests after this one.
    await setFaults([{ action: 'stall', ms: 3_000 }], { reset: true });
    const remote = new RemoteFileStorage({ endpoint: await proxyUrl(), storeId: 'no-answer', token: () => 'unused', idleTimeoutMs: 500 });
    const churn = setInterval(allocate, 20);
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 12; i++) {
        // The caller's own signal beside the timeout, as a transfer's requests have (its queue's job).
        const caller = new AbortController();
        const probe = remote.reachable(caller.signal).then((reachable) => (reachable ? 'probe: reachable' : 'probe: unreachable'));
        const download = remote.download(`file-${i}/${'0'.repeat(64)}`, { signal: caller.signal }).then(
          () => 'download: answered',
          (error: unknown) => `download: ${error instanceof TransferError ? error.message : String(error)}`,
        );
        for (const seen of [await outcome(probe, 5_000), await outcome(download, 5_000)]) outcomes.set(seen, (outcomes.get(seen) ?? 0) + 1);
      }
    } finally {
      clearInterval(churn);
    }
    expect(Object.fromEntries(outcomes)).to.deep.equal({
      'probe: unreachable': 12,
      'download: The connection stalled: nothing moved for too long': 12,
    });
  });
});
