/**
 * What the page and the download worker tell each other (download-worker.ts, download-client.ts): a
 * download as plain data, its progress and outcome, and errors as the retry policy tells them apart; and a
 * save, for a page that cannot write files itself (no `createWritable()`, as in Safari before 26).
 */
import { FileSyncError, TransferError } from '../errors.js';

export interface DownloadTarget {
  readonly id: string;
  readonly remoteKey: string;
  readonly size: number;
  readonly hash: string;
}

/** What a worker needs to run a download: the target, and how to reach both storages. */
export interface DownloadJob extends DownloadTarget {
  readonly endpoint: string;
  readonly storeId: string;
  readonly token: string;
  readonly idleTimeoutMs: number;
  readonly localDirectory: string;
}

/** A Blob to keep as the file `id` of a store (a File posted to a worker is not copied). */
export interface SaveJob {
  readonly storeId: string;
  readonly localDirectory: string;
  readonly id: string;
  readonly blob: Blob;
}

export type DownloadRequest =
  | { readonly type: 'start'; readonly jobId: number; readonly job: DownloadJob }
  | { readonly type: 'abort'; readonly jobId: number }
  | { readonly type: 'save'; readonly jobId: number; readonly job: SaveJob }
  /** Whether the worker can write files (through a sync access handle or createWritable). */
  | { readonly type: 'can-write'; readonly jobId: number };

export type DownloadReport =
  | { readonly type: 'progress'; readonly jobId: number; readonly loaded: number }
  | { readonly type: 'done'; readonly jobId: number }
  | { readonly type: 'saved'; readonly jobId: number; readonly hash: string; readonly size: number }
  | { readonly type: 'can-write'; readonly jobId: number; readonly canWrite: boolean }
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
