/**
 * What a file's sync state is, as one union: the elements render it, the queue never holds it twice.
 * It is derived, never stored: from the synced record, this device's local row and the transfer in flight.
 */
import type { FileLocalStateRow, FileRow } from '../store/schema.js';
import type { SaveInProgress } from './saves-in-progress.js';

export type TransferDirection = 'upload' | 'download';

/** A transfer that failed for a reason retrying cannot fix, kept until the user retries. */
export interface TransferFailure {
  readonly direction: TransferDirection;
  /** Stable machine-readable reason: the server's error code, or `network`, `quota_exceeded`, `hash_mismatch`... */
  readonly code: string;
  readonly message: string;
  readonly status?: number;
}

/** What the transfer queue is doing about a file right now (only the leader tab knows; it broadcasts it). */
export type TransferActivity =
  | { readonly kind: 'transferring'; readonly direction: TransferDirection; readonly loaded: number; readonly total: number }
  | { readonly kind: 'waiting-retry'; readonly direction: TransferDirection; readonly attempt: number; readonly retryAt: number; readonly message: string };

export type FileSyncState =
  /**
   * Being written to this device, shown from the bytes given: only this tab knows of it, and its record
   * (which syncs) follows once it is saved. `hash` is empty until then.
   */
  | { readonly kind: 'saving' }
  /** Saved on this device, waiting to upload. */
  | { readonly kind: 'local' }
  | { readonly kind: 'uploading'; readonly loaded: number; readonly total: number }
  /** On this device and in remote storage. */
  | { readonly kind: 'synced' }
  /** Known from another device that has not finished uploading it yet. */
  | { readonly kind: 'pending-remote' }
  /**
   * In remote storage, not on this device. `onDemand`: its copy here was removed to keep within the cache
   * budget, and it is fetched again only when shown or asked for (else it is fetched in the background).
   */
  | { readonly kind: 'remote'; readonly onDemand: boolean }
  | { readonly kind: 'downloading'; readonly loaded: number; readonly total: number }
  /** A transient failure: the queue tries again at `retryAt`. */
  | { readonly kind: 'retrying'; readonly direction: TransferDirection; readonly attempt: number; readonly retryAt: number; readonly message: string }
  /** A permanent failure: nothing happens until `retry()`. */
  | { readonly kind: 'failed'; readonly failure: TransferFailure };

export type FileSyncStateKind = FileSyncState['kind'];

/** A live file as the elements and the app see it. */
export interface FileView {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly hash: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Pixel size of an image (null until known, and for other files). */
  readonly width: number | null;
  readonly height: number | null;
  /** A tiny preview of an image, as a data URL, to show while its bytes are not here. */
  readonly preview: string | null;
  /** Key of the uploaded bytes (`<fileId>/<hash>`), null until the upload is confirmed. */
  readonly remoteKey: string | null;
  /** True when this device holds the current bytes. */
  readonly local: boolean;
  readonly state: FileSyncState;
}

export function parseFailure(json: string | null): TransferFailure | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as TransferFailure;
  } catch {
    return { direction: 'upload', code: 'unknown', message: json };
  }
}

export function deriveState(
  record: FileRow,
  local: FileLocalStateRow | undefined,
  activity: TransferActivity | undefined,
): FileSyncState {
  const failure = parseFailure(local?.failure ?? null);
  if (failure) return { kind: 'failed', failure };
  if (activity?.kind === 'transferring') {
    const { loaded, total } = activity;
    return activity.direction === 'upload' ? { kind: 'uploading', loaded, total } : { kind: 'downloading', loaded, total };
  }
  if (activity?.kind === 'waiting-retry') {
    const { direction, attempt, retryAt, message } = activity;
    return { kind: 'retrying', direction, attempt, retryAt, message };
  }
  const hasCurrentBytes = local?.localHash === record.hash;
  if (hasCurrentBytes) return record.remoteKey === null ? { kind: 'local' } : { kind: 'synced' };
  return record.remoteKey === null ? { kind: 'pending-remote' } : { kind: 'remote', onDemand: local?.evicted === true };
}

export function toView(record: FileRow, local: FileLocalStateRow | undefined, activity: TransferActivity | undefined): FileView {
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    size: record.size,
    hash: record.hash,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    remoteKey: record.remoteKey,
    width: record.width,
    height: record.height,
    preview: record.preview,
    local: local?.localHash === record.hash,
    state: deriveState(record, local, activity),
  };
}

/** The view of a file this tab is saving: what the page handed over, until its record is committed. */
export function toSavingView(save: SaveInProgress): FileView {
  return {
    id: save.id,
    name: save.name,
    type: save.type,
    size: save.size,
    hash: '',
    createdAt: save.startedAt,
    updatedAt: save.startedAt,
    remoteKey: null,
    width: null,
    height: null,
    preview: null,
    local: false,
    state: { kind: 'saving' },
  };
}
