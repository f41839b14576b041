// The short chaos run inside `npm test` (the long one is `npm run chaos`): both profiles of one store save
// files of random sizes (A most of them, B every fifth), one of them over the multipart threshold, while the
// proxy injects faults at random into a quarter of the file API's requests; each profile downloads the
// other's. Nothing may be lost, duplicated, corrupted or stuck, and no profile may say "synced" while the
// backend lacks one of its records or uploads. Backend restarts and reloads in the middle
// are in the long run only, to keep `npm test` short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../chaos/run-chaos.mjs';

test('chaos (short): 40 files saved on both profiles at once through injected faults reach the other profile and remote storage intact, once', async () => {
  const result = await runChaos({ files: 40, maxSize: 4 * 1024 * 1024, large: 1, faultRate: 0.25, reloads: 0, restart: false, bothWrite: true, log: (line) => console.log(line) });
  console.log(`chaos: ${JSON.stringify(result)}`);
  assert.ok(result.faultsTotal > 0, 'faults were injected');
  assert.deepEqual(
    { lost: result.lost, duplicated: result.duplicated, corrupted: result.corrupted, stuckFailed: result.stuckFailed, unsettled: result.unsettled, falseSynced: result.falseSynced },
    { lost: 0, duplicated: 0, corrupted: 0, stuckFailed: 0, unsettled: 0, falseSynced: 0 },
  );
});
