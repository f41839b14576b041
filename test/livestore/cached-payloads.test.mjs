// A leader keeps what it passed on to its sessions for sessions that connect later, but only its latest
// payloads (the project's patch of @livestore/common, (5) in the header of its LeaderSyncProcessor.js; patches/README.md): in 0.4.0 it kept all of
// them for as long as the tab lived, and copied them all for each session that connected. A session older
// than those must still get every event after its cursor, from the event log. Sessions are played by pulls
// with a cursor, sent to a leader that passed on more than it keeps. Plain LiveStore Node clients with files
// on disk and the kit's schema; no sync backend is needed for it.
import { StoreInternalsSymbol } from '@livestore/livestore';
import { Effect, Stream } from '@livestore/utils/effect';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { commitFiles, withStore } from './disk-store.mjs';

/** More than the leader keeps (1,000 payloads at most), each commit in a task of its own: a payload apiece, mostly. */
const COMMITS = 1_100;

/** The payloads a session at `cursor` is sent until it has heard of event `head`, or why not within 10 s. */
function payloadsUntil(store, cursor, head) {
  const { leaderThread } = store[StoreInternalsSymbol].clientSession;
  let heard = cursor.global;
  return Effect.runPromise(
    leaderThread.events.pull({ cursor }).pipe(
      Stream.map((item) => item.payload),
      Stream.takeUntil((payload) => {
        heard = Math.max(heard, ...payload.newEvents.map((e) => e.seqNum.global));
        return heard >= head;
      }),
      Stream.runCollect,
      Effect.map((chunk) => [...chunk]),
      Effect.timeoutFail({ duration: '10 seconds', onTimeout: () => new Error(`a session at e${cursor.global} had heard of e${heard} of e${head} after 10 s`) }),
    ),
  );
}

const heardOf = (payloads) => payloads.flatMap((payload) => payload.newEvents.map((e) => e.seqNum.global));
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('a leader that passed on more than it keeps still gives a session every event after its cursor', { timeout: 120_000 }, async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ls-cached-payloads-'));
  try {
    await withStore({ baseDirectory: base, storeId: 'cached-payloads', clientId: 'node-cached-payloads' }, async (store) => {
      await commitFiles(store, 0, COMMITS, { oneTaskEach: true, waitMs: 30_000 });

      // Far behind: from the event log, every event since, at once (0.4.0 replayed its whole history from memory).
      const early = await payloadsUntil(store, { global: 3, client: 0, rebaseGeneration: 0 }, COMMITS);
      assert.deepEqual(heardOf(early), range(4, COMMITS));
      assert.equal(early.length, 1, `a session at e3 got ${early.length} payloads`);

      // Near the head: from what the leader kept, each event once, in order.
      const late = await payloadsUntil(store, { global: COMMITS - 5, client: 0, rebaseGeneration: 0 }, COMMITS);
      assert.deepEqual(heardOf(late), range(COMMITS - 4, COMMITS));
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
