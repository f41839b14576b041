/**
 * What the elements use of the core, and what a page that only shows the elements loads before it first
 * renders: none of it loads LiveStore. The store, LiveStore and Effect come with the first store opened
 * (registry.ts loads file-sync.ts then), so the elements draw their empty state at once. `index.ts` is the
 * core's whole public surface (`FileSync` and the schema too).
 */
export type { FileSync, FileSyncOptions, SaveOptions, SaveRequest, SaveResult, StorageMode, SyncStatus, SyncSummary } from './file-sync.js';
export { acquireFileSync, type FileSyncLease } from './registry.js';
export { FileSyncError, TransferError } from './errors.js';
export type { FileSyncState, FileSyncStateKind, FileView, TransferActivity, TransferDirection, TransferFailure } from './views/state.js';
export { Observable, type ReadonlyObservable } from './observable.js';
export type { Size } from './images/scaled-image.js';
export { registerServiceWorker, serviceWorkerFileUrl, answerServiceWorker } from './workers/service-worker-bridge.js';
export { kitAssetUrls } from './workers/assets.js';

/** The scaled JPEG decoder, a chunk of its own loaded with the first large photo to show. */
export const loadImageScaler = () => import('./images/scaled-image.js');
