// Two LiveStore clients writing to one store at once lose nothing: every record of both reaches both writers
// and a client opened afterwards. Plain LiveStore clients (the kit's schema only) against the kit's worker
// under wrangler dev, so this checks the project's patches of LiveStore (patches/), in production mode and in
// development mode, where LiveStore also checks that the kit's materializers are pure functions of their event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runConcurrentWriters } from './concurrent-writers.mjs';

for (const nodeEnv of ['production', 'development']) {
  test(`two writers of 40 records each at once lose none (${nodeEnv} mode)`, { timeout: 240_000 }, async () => {
    const [round] = await runConcurrentWriters({ rounds: 1, count: 40, nodeEnv, waitSeconds: 45, log: () => {} });
    for (const client of round.clients) {
      assert.deepEqual(client.missing, [], `client ${client.name} lacks ${client.missing.length} of 80 records: ${client.missing.join(' ')}`);
      assert.doesNotMatch(client.stderr(), /MaterializerHashMismatchError/, `client ${client.name}: a materializer is not a pure function of its event`);
    }
  });
}
