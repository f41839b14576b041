/**
 * The store's sync state in one line (what `<ls-sync-status>` shows), derived from every file's state and
 * whether the network and the backend are there. Pure, so each rule is testable on its own.
 */
import type { FileView } from './state.js';
import type { UpstreamState } from '../sync/upstream-check.js';

export type SyncStatus = 'synced' | 'syncing' | 'offline' | 'error';

export interface SyncSummary {
  readonly status: SyncStatus;
  /** The browser believes it has a network. */
  readonly online: boolean;
  /** The backend answers (LiveStore's sync connection is up and file requests get answers). */
  readonly backendReachable: boolean;
  readonly pendingUploads: number;
  readonly pendingDownloads: number;
  /** Files that failed for a reason retrying cannot fix, until `retry()`. */
  readonly failed: number;
  /** Bytes moved and to move by the transfers in progress. */
  readonly bytesLoaded: number;
  readonly bytesTotal: number;
  /**
   * What the last check of the backend's own records found (sync/upstream-check.ts): `confirmed` while an
   * answer of the last 15 s matched every record of this device and the live connection brought what the
   * backend held; `behind` when the records match but it did not; `none` for a store without a backend.
   */
  readonly upstream: UpstreamState['kind'] | 'none';
  /** Files whose record the backend lacks, and files of the backend this device lacks, at the last check. */
  readonly missingUpstream: number;
  readonly missingHere: number;
  /**
   * This device's sync has stopped: LiveStore shut the store down on its own, or the backend and this device
   * have not come closer for a minute (records or events).
   */
  readonly stalled: boolean;
}

/**
 * A failure outranks everything (it needs the user: a file to retry, or a stopped sync to restart by reopening
 * the page; the local saves go on and sync once it runs again); then being cut off; then work in progress, including
 * records the backend has not been seen to hold: `synced` is a claim that the backend holds every record
 * and byte of this device, checked against the backend within the last 15 s. A file only in remote storage
 * is a pending download, unless the cache budget keeps it there until it is shown.
 */
export function summarize(
  views: readonly FileView[],
  {
    online,
    backendReachable,
    upstream,
    storeStopped = false,
  }: { online: boolean; backendReachable: boolean; upstream: UpstreamState | undefined; storeStopped?: boolean },
): SyncSummary {
  let pendingUploads = 0;
  let pendingDownloads = 0;
  let failed = 0;
  let bytesLoaded = 0;
  let bytesTotal = 0;
  for (const view of views) {
    const state = view.state;
    switch (state.kind) {
      case 'saving':
      case 'local':
        pendingUploads++;
        break;
      case 'remote':
        if (!state.onDemand) pendingDownloads++;
        break;
      case 'uploading':
      case 'downloading':
        if (state.kind === 'uploading') pendingUploads++;
        else pendingDownloads++;
        bytesLoaded += state.loaded;
        bytesTotal += state.total;
        break;
      case 'retrying':
        if (state.direction === 'upload') pendingUploads++;
        else pendingDownloads++;
        break;
      case 'failed':
        failed++;
        break;
      case 'synced':
      case 'pending-remote':
        break;
    }
  }
  const upstreamKind = upstream?.kind ?? 'none';
  const stalled = storeStopped || ((upstream?.kind === 'differs' || upstream?.kind === 'behind') && upstream.stalled);
  const status: SyncStatus =
    failed > 0 || stalled
      ? 'error'
      : !online || !backendReachable
        ? 'offline'
        : pendingUploads + pendingDownloads > 0 || (upstreamKind !== 'confirmed' && upstreamKind !== 'none')
          ? 'syncing'
          : 'synced';
  const missingUpstream = upstream?.kind === 'differs' ? upstream.missingUpstream : 0;
  const missingHere = upstream?.kind === 'differs' ? upstream.missingHere : 0;
  return { status, online, backendReachable, pendingUploads, pendingDownloads, failed, bytesLoaded, bytesTotal, upstream: upstreamKind, missingUpstream, missingHere, stalled };
}

export function sameSummary(a: SyncSummary, b: SyncSummary): boolean {
  return (Object.keys(a) as (keyof SyncSummary)[]).every((key) => a[key] === b[key]);
}
