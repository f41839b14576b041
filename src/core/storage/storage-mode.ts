/**
 * Whether this browser lets the page keep files on the device. Private windows (Firefox, Safari) refuse the
 * private file system with a SecurityError, WebKit with its defaults has none (and WebKitGTK's, turned on,
 * cannot be written), and a quota of zero holds nothing: the kit then keeps files in the tab's memory instead of
 * failing every save. And the storage a store gets in each mode.
 */
import type { FileStorage, StorageMode, WriteResult } from './file-storage.js';
import { canCreateWritable, DEFAULT_LOCAL_DIRECTORY, LocalFileStorage } from './local-storage.js';
import { MemoryFileStorage } from './memory-storage.js';

/** A browser that neither answers nor refuses within this long is taken to have no usable storage. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Where a store keeps files: in memory if the app asked, or if this browser keeps none for the page.
 * `workerCanWrite`: asked only where a page cannot write files itself (no createWritable): whether the kit's
 * worker can write them for it.
 */
export async function storageModeOf(
  options: { readonly storage?: 'auto' | 'memory'; readonly localDirectory?: string },
  workerCanWrite: () => Promise<boolean>,
): Promise<StorageMode> {
  if (options.storage === 'memory') return 'memory';
  const root = options.localDirectory ?? DEFAULT_LOCAL_DIRECTORY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return (await Promise.race([deviceStorageWorks(root, workerCanWrite), timeout])) ? 'device' : 'memory';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The storage of a store's files in `mode`; on the device, `saveInWorker` writes what the page hands the
 * kit's worker (large files, and all of them where the page has no createWritable).
 */
export function fileStorageOf(
  mode: StorageMode,
  options: { readonly storeId: string; readonly localDirectory?: string },
  saveInWorker: (job: { storeId: string; localDirectory: string; id: string; blob: Blob }) => Promise<WriteResult>,
): FileStorage {
  if (mode === 'memory') return new MemoryFileStorage(options.storeId, options.localDirectory);
  const local: LocalFileStorage = new LocalFileStorage(options.storeId, options.localDirectory, (id, blob) =>
    saveInWorker({ storeId: options.storeId, localDirectory: local.root, id, blob }),
  );
  return local;
}

async function deviceStorageWorks(root: string, workerCanWrite: () => Promise<boolean>): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (typeof storage?.getDirectory !== 'function' || typeof FileSystemFileHandle === 'undefined') return false;
  // Without createWritable() (Safari before 26), a worker writes the files, through a sync access handle.
  if (!canCreateWritable() && !(await workerCanWrite())) return false;
  try {
    await (await storage.getDirectory()).getDirectoryHandle(root, { create: true });
    const estimate = await storage.estimate?.().catch(() => undefined);
    return estimate?.quota !== 0;
  } catch {
    return false;
  }
}
