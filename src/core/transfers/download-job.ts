/**
 * One download, remote to verified local copy: the leader runs it in a dedicated worker where it can
 * (`download-worker.ts`), so the page's main thread does not read, hash and write every byte of every
 * download; in place where it cannot, and a page loads this module only then.
 */
import type { DownloadTarget } from './download-protocol.js';
import { openResumableDownload } from './downloader.js';
import { FileSyncError, TransferError } from '../errors.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';

/** Streams the bytes into OPFS; they replace the local copy only once they hash to `target.hash`. */
export async function runDownload(
  remote: RemoteFileStorage,
  local: FileStorage,
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
