/**
 * Whether this browser lets the page keep files on the device. Private windows (Firefox, Safari) refuse the
 * private file system with a SecurityError, WebKit with its defaults has none (and WebKitGTK's, turned on,
 * cannot be written), and a quota of zero holds nothing: the kit then keeps files in the tab's memory instead of
 * failing every save.
 */
import type { StorageMode } from './file-storage.js';
import { canCreateWritable } from './local-storage.js';

/** A browser that neither answers nor refuses within this long is taken to have no usable storage. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * `workerCanWrite`: asked only where a page cannot write files itself (no createWritable): whether the kit's
 * worker can write them for it.
 */
export async function storageModeOf(root: string, workerCanWrite: () => Promise<boolean>): Promise<StorageMode> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return (await Promise.race([deviceStorageWorks(root, workerCanWrite), timeout])) ? 'device' : 'memory';
  } finally {
    clearTimeout(timer);
  }
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
