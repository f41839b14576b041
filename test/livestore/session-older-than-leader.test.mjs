// A tab whose LiveStore leader changes (the leading tab of the profile reloaded or closed) keeps its session,
// which asks the new leader for what follows its cursor. The new leader must answer from its event log, not
// only from what it pulled or was pushed since it booted: else the events the old leader held and had not
// passed on never reach the session, which then says it is at the head while lacking records (seen in the
// two-tab e2e test; the project's patch of @livestore/common, patches/README.md). The session asking with an
// old cursor is played here by a pull with that cursor, sent to a leader booted after those events. Plain
// LiveStore Node clients with files on disk and the kit's schema; no sync backend is needed for it.
import { StoreInternalsSymbol } from '@livestore/livestore';
import { Effect, Stream } from '@livestore/utils/effect';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { commitFiles, withStore as withDiskStore } from './disk-store.mjs';

const withStore = (baseDirectory, use) => withDiskStore({ baseDirectory, storeId: 'session-older-than-leader', clientId: 'node-older-session' }, use);

/** The first payload the leader sends a session at `cursor`, or why there is none within 5 s. */
function firstPayload(store, cursor) {
  const { leaderThread } = store[StoreInternalsSymbol].clientSession;
  return Effect.runPromise(
    leaderThread.events.pull({ cursor }).pipe(
      Stream.runHead,
      Effect.timeoutFail({ duration: '5 seconds', onTimeout: () => new Error(`no payload for a session at e${cursor.global} within 5 s`) }),
      Effect.map((head) => head._tag === 'Some' ? head.value.payload : undefined),
      Effect.catchAllDefect((defect) => Effect.succeed({ refused: String(defect) })),
    ),
  );
}

test('a leader gives a session from before its boot the events its log holds after the session\'s cursor', { timeout: 60_000 }, async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ls-older-session-'));
  try {
    await withStore(base, (store) => commitFiles(store, 0, 10));
    await withStore(base, async (store) => {
      // This leader booted at e10; a session that had heard of e1 to e3 only asks for what follows e3.
      const payload = await firstPayload(store, { global: 3, client: 0, rebaseGeneration: 0 });
      assert.equal(payload?._tag, 'upstream-advance', `the session at e3 gets ${JSON.stringify(payload)}`);
      assert.deepEqual(payload.newEvents.map((e) => e.seqNum.global), [4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual(payload.newEvents.map((e) => e.args.id), ['file-3', 'file-4', 'file-5', 'file-6', 'file-7', 'file-8', 'file-9']);

      // A session whose cursor names an event this log does not hold (one the old leader rebased away) cannot
      // be mended by events: it is refused, which stops that session (and the kit opens the store again).
      const stray = await firstPayload(store, { global: 3, client: 0, rebaseGeneration: 5 });
      assert.match(stray?.refused ?? '', /not on this leader's event log/, `a session at e3r5 gets ${JSON.stringify(stray)}`);
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
