import type { FileSyncState, StorageMode } from '../../core/for-elements.js';
import type { Translation } from './localize.js';

const percent = (loaded: number, total: number) => (total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0);

/** A file's state in words, for a label or a screen reader; `storage`: where this device keeps files. */
export function describeState(state: FileSyncState, t: Translation, storage: StorageMode = 'device'): string {
  switch (state.kind) {
    case 'saving':
      return t.stateSaving;
    case 'local':
      return storage === 'memory' ? t.stateInMemory : t.stateLocal;
    case 'uploading':
      return t.stateUploading(percent(state.loaded, state.total));
    case 'synced':
      return t.stateSynced;
    case 'pending-remote':
      return t.statePendingRemote;
    case 'remote':
      return t.stateRemote;
    case 'downloading':
      return t.stateDownloading(percent(state.loaded, state.total));
    case 'retrying':
      return t.stateRetrying;
    case 'failed':
      return t.stateFailed(state.failure.message);
  }
}
