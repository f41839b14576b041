/**
 * The page's half of the service worker: registers it and answers its lookups from the open stores.
 * A page answers `null` for a store it does not have open, so the worker asks the next page.
 */
import { kitAssetUrls } from './assets.js';
import { FileSyncError } from '../errors.js';
import type { FileSync } from '../file-sync.js';
import type { LookupReply, LookupRequest } from './service-worker-protocol.js';
import { MemoryFileStorage } from '../storage/memory-storage.js';
import { remoteKeyOf } from '../wire.js';

const answering = new Set<FileSync>();
let listening = false;

/** Lets the service worker serve this store's files while `sync` is open; returns a function that stops it. */
export function answerServiceWorker(sync: FileSync): () => void {
  answering.add(sync);
  if (!listening && typeof navigator !== 'undefined' && navigator.serviceWorker) {
    listening = true;
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data as Partial<LookupRequest> | null;
      if (data?.type !== 'lsfs-lookup' || typeof data.fileId !== 'string') return;
      event.ports[0]?.postMessage(reply(data as LookupRequest));
    });
    navigator.serviceWorker.startMessages();
  }
  return () => answering.delete(sync);
}

function reply(request: LookupRequest): LookupReply | null {
  for (const sync of answering) {
    if (request.storeId !== undefined && request.storeId !== sync.storeId) continue;
    const view = sync.file(request.fileId);
    if (view === undefined) {
      if (request.storeId !== undefined) return { kind: 'not-found' };
      continue;
    }
    const bytes = view.local && sync.local instanceof MemoryFileStorage ? sync.local.peek(view.id) : undefined;
    return {
      kind: 'file',
      storeId: sync.storeId,
      localDirectory: sync.local.root,
      type: view.type,
      size: view.size,
      hash: view.hash,
      local: view.local,
      ...(bytes ? { bytes } : {}),
      // From the file and its hash: a synced string never names where the service worker fetches from.
      ...(view.remoteKey ? { remoteUrl: sync.remote.url(remoteKeyOf(view.id, view.hash)) } : {}),
      token: sync.token,
    };
  }
  return null;
}

/**
 * Registers the kit's service worker. A service worker only sees the requests of pages inside its scope, so
 * the default scope is the site root (`/`): the server must then send `Service-Worker-Allowed: /` with the
 * kit's `service-worker.js` (or serve that file from the root). Files are served at `<scope>files/<storeId>/<fileId>`.
 */
export async function registerServiceWorker(options: { url?: URL | string; scope?: string } = {}): Promise<ServiceWorkerRegistration> {
  const url = options.url ?? kitAssetUrls().serviceWorker;
  const scope = options.scope ?? '/';
  try {
    return await navigator.serviceWorker.register(url, { type: 'module', scope });
  } catch (error) {
    throw new FileSyncError(
      'service_worker_refused',
      `The service worker at ${String(url)} could not take scope ${scope}: serve it with the header ` +
        `"Service-Worker-Allowed: ${scope}" or from that path (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

/** Where the service worker serves a file, given the registration's scope. */
export const serviceWorkerFileUrl = (scope: string, storeId: string, fileId: string): string =>
  new URL(`files/${encodeURIComponent(storeId)}/${encodeURIComponent(fileId)}`, scope).toString();
