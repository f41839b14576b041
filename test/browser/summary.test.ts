import { expect } from '@open-wc/testing';
import type { FileSyncState, FileView } from '../../src/core/views/state.js';
import { summarize } from '../../src/core/views/summary.js';

const view = (state: FileSyncState, id = crypto.randomUUID()): FileView =>
  ({ id, name: `${id}.bin`, type: '', size: 10, hash: '', local: false, remoteKey: null, width: null, height: null, preview: null, createdAt: 0, updatedAt: 0, state }) as FileView;
const up = { online: true, backendReachable: true, upstream: { kind: 'confirmed', at: 0 } } as const;

describe('summarize: the store’s sync state in one line', () => {
  it('is synced when every file is here and remote, or kept remote by the cache budget', () => {
    expect(summarize([view({ kind: 'synced' }), view({ kind: 'remote', onDemand: true })], up)).to.deep.include({ status: 'synced', pendingDownloads: 0 });
  });

  it('is syncing while files wait to upload or to be fetched in the background, with bytes in flight', () => {
    const summary = summarize([view({ kind: 'local' }), view({ kind: 'remote', onDemand: false }), view({ kind: 'uploading', loaded: 3, total: 10 })], up);
    expect(summary).to.deep.include({ status: 'syncing', pendingUploads: 2, pendingDownloads: 1, bytesLoaded: 3, bytesTotal: 10 });
  });

  it('is offline when the network or the backend is gone, and error above all when a file failed', () => {
    expect(summarize([view({ kind: 'local' })], { ...up, backendReachable: false }).status).to.equal('offline');
    expect(summarize([], { ...up, online: false }).status).to.equal('offline');
    const failed = view({ kind: 'failed', failure: { direction: 'upload', code: 'too_large', message: 'too large' } });
    expect(summarize([failed], { ...up, online: false, backendReachable: false })).to.deep.include({ status: 'error', failed: 1 });
  });

  it('is synced only while the backend was seen to hold every record of this device: unconfirmed or different, it is syncing', () => {
    const files = [view({ kind: 'synced' })];
    expect(summarize(files, { ...up, upstream: { kind: 'unconfirmed' } }).status).to.equal('syncing');
    const differs = summarize(files, { ...up, upstream: { kind: 'differs', missingUpstream: 1, missingHere: 2, stalled: false } });
    expect(differs).to.deep.include({ status: 'syncing', upstream: 'differs', missingUpstream: 1, missingHere: 2, stalled: false });
    expect(summarize(files, up)).to.deep.include({ status: 'synced', upstream: 'confirmed' });
    // The records match, but the live connection has not brought the backend's latest events: not synced either.
    expect(summarize(files, { ...up, upstream: { kind: 'behind', stalled: false } })).to.deep.include({ status: 'syncing', upstream: 'behind', stalled: false });
    // A store with no backend has nothing to confirm.
    expect(summarize(files, { ...up, upstream: undefined })).to.deep.include({ status: 'synced', upstream: 'none' });
  });

  it('is an error, with every file otherwise fine, once the backend and this device have stopped coming closer', () => {
    const stalled = summarize([view({ kind: 'synced' })], { ...up, upstream: { kind: 'differs', missingUpstream: 3, missingHere: 0, stalled: true } });
    expect(stalled).to.deep.include({ status: 'error', stalled: true, failed: 0, missingUpstream: 3 });
    const deaf = summarize([view({ kind: 'synced' })], { ...up, upstream: { kind: 'behind', stalled: true } });
    expect(deaf).to.deep.include({ status: 'error', stalled: true, failed: 0, missingUpstream: 0, missingHere: 0 });
  });
});
