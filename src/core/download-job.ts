/**
 * One download, remote to verified local copy, as plain data and one function: the leader runs it in a
 * dedicated worker where it can (`download-worker.ts`), so the page's main thread does not read, hash
 * and write every byte of every download; in place where it cannot.
 */
import { openResumableDownload } from './downloader.js';
import { FileSyncError, TransferError } from './errors.js';
import type { LocalFileStorage } from './local-storage.js';
import type { RemoteFileStorage } from './remote-storage.js';

export interface DownloadTarget {
  readonly id: string;
  readonly remoteKey: string;
  readonly size: number;
  readonly hash: string;
}

/** Streams the bytes into OPFS; they replace the local copy only once they hash to `target.hash`. */
export async function runDownload(
  remote: RemoteFileStorage,
  local: LocalFileStorage,
  target: DownloadTarget,
  signal: AbortSignal,
  onProgress: (loaded: number) => void,
): Promise<void> {
  const body = await openResumableDownload(remote, target.remoteKey, target.size, signal);
  try {
    await local.write(target.id, body, { expectedHash: target.hash, signal, onProgress, sizeHint: target.size });
  } catch (error) {
    // Corrupted in transit: discarded (the write was never committed); fetch it again.
    if (error instanceof FileSyncError && error.code === 'hash_mismatch') throw new TransferError('hash_mismatch', error.message, 200, true);
    throw error;
  }
}

/** What a worker needs to run a download: the target, and how to reach both storages. */
export interface DownloadJob extends DownloadTarget {
  readonly endpoint: string;
  readonly storeId: string;
  readonly token: string;
  readonly idleTimeoutMs: number;
  readonly localDirectory: string;
}

export type DownloadRequest = { readonly type: 'start'; readonly jobId: number; readonly job: DownloadJob } | { readonly type: 'abort'; readonly jobId: number };

export type DownloadReport =
  | { readonly type: 'progress'; readonly jobId: number; readonly loaded: number }
  | { readonly type: 'done'; readonly jobId: number }
  | { readonly type: 'failed'; readonly jobId: number; readonly error: WireError };

/** An error as it crosses to the page: the classes the retry policy tells apart, with their fields. */
export type WireError =
  | { readonly kind: 'transfer'; readonly code: string; readonly message: string; readonly status: number; readonly retryable: boolean; readonly retryAfterMs?: number }
  | { readonly kind: 'file-sync'; readonly code: string; readonly message: string }
  | { readonly kind: 'abort' }
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'other'; readonly message: string };

export function toWire(error: unknown): WireError {
  if (error instanceof TransferError) {
    return { kind: 'transfer', code: error.code, message: error.message, status: error.status, retryable: error.retryable, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) };
  }
  if (error instanceof FileSyncError) return { kind: 'file-sync', code: error.code, message: error.message };
  if (error instanceof DOMException && error.name === 'AbortError') return { kind: 'abort' };
  if (error instanceof TypeError) return { kind: 'network', message: error.message };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

export function fromWire(error: WireError, signal: AbortSignal): unknown {
  switch (error.kind) {
    case 'transfer':
      return new TransferError(error.code, error.message, error.status, error.retryable, error.retryAfterMs);
    case 'file-sync':
      return new FileSyncError(error.code, error.message);
    case 'abort':
      return signal.reason ?? new DOMException('Aborted', 'AbortError');
    case 'network':
      return new TypeError(error.message);
    case 'other':
      return new Error(error.message);
  }
}
