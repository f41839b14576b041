/**
 * The framework-free file-sync core: its public surface, and the only way the elements reach it. Runs in a
 * page or a worker; has no Lit and no DOM beyond what workers have. See docs/architecture.md.
 */
export { FileSync, type FileSyncOptions, type SaveOptions, type SaveRequest, type SaveResult, type StorageMode, type SyncStatus, type SyncSummary } from './file-sync.js';
export { acquireFileSync, type FileSyncLease } from './registry.js';
export { FileSyncError, TransferError } from './errors.js';
export type { FileSyncState, FileSyncStateKind, FileView, TransferActivity, TransferDirection, TransferFailure } from './views/state.js';
export { Observable, type ReadonlyObservable } from './observable.js';
export type { Size } from './images/scaled-image.js';
export { registerServiceWorker, serviceWorkerFileUrl, answerServiceWorker } from './workers/service-worker-bridge.js';
export { kitAssetUrls } from './workers/assets.js';
export * from './store/schema.js';

/** The scaled JPEG decoder, a chunk of its own loaded with the first large photo to show. */
export const loadImageScaler = () => import('./images/scaled-image.js');
