/** The framework-free file-sync core. Runs in a page or a worker; has no Lit and no DOM beyond what workers have. */
export { FileSync, type FileSyncOptions, type SaveOptions, type SaveRequest, type SaveResult, type SyncStatus, type SyncSummary } from './file-sync.js';
export { acquireFileSync, type FileSyncLease } from './registry.js';
export { FileSyncError, TransferError } from './errors.js';
export type { FileSyncState, FileSyncStateKind, FileView, TransferActivity, TransferDirection, TransferFailure } from './state.js';
export type { ReadonlyObservable } from './observable.js';
export { registerServiceWorker, serviceWorkerFileUrl, answerServiceWorker } from './service-worker-bridge.js';
export { kitAssetUrls } from './assets.js';
export * from './schema.js';
