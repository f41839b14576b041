/**
 * Stories run the real core against the local backend that `npm run storybook` starts (and the smoke test
 * starts for itself): no hand-drawn fakes. States that need a fault (a stalled upload, a refused file) get it
 * on purpose from the test suite's fault-injecting proxy, scoped to the story's own store.
 */
import { makeInMemoryAdapter } from '@livestore/adapter-web';
import { makeWsSync } from '@livestore/sync-cf/client';
import { FileSync } from '../../src/core/file-sync.js';
import { syncUrlOf } from '../../src/core/store/store.js';

interface Backend {
  /** The worker itself. */
  readonly endpoint: string;
  /** The same worker behind the fault proxy (its control route is `/__faults`). */
  readonly faulty: string;
}

let backendInfo: Promise<Backend> | undefined;

export function backend(): Promise<Backend> {
  backendInfo ??= fetch(new URL('ls-backend.json', document.baseURI), { cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error('No local backend: run the stories with `npm run storybook`, which starts one.');
    return (await response.json()) as Backend;
  });
  return backendInfo;
}

/** Where a story's store sends its requests. */
export type Route =
  | { readonly kind: 'direct' }
  /** Through the fault proxy, with these rules for this store's file requests. */
  | { readonly kind: 'faulty'; readonly faults: readonly Fault[] }
  /** A port nothing listens on: the device is offline as far as the kit can tell. */
  | { readonly kind: 'unreachable' };

export type Fault =
  | { readonly method: 'PUT' | 'GET' | 'POST'; readonly action: 'stall'; readonly ms: number }
  | { readonly method: 'PUT' | 'GET' | 'POST'; readonly action: 'status'; readonly status: number };

const UNREACHABLE = 'http://127.0.0.1:9';
const rules: unknown[] = [];

async function devToken(endpoint: string, storeId: string): Promise<string> {
  const response = await fetch(`${endpoint}/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ storeId }),
  });
  if (!response.ok) throw new Error(`The local backend minted no token: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

const opened = new Map<string, Promise<FileSync>>();

/**
 * Opens (once per page) a device of a store: LiveStore in memory, bytes in OPFS under a directory of its
 * own, so two devices of one store can sit side by side in one story.
 */
export function device(storeId: string, name: string, route: Route = { kind: 'direct' }): Promise<FileSync> {
  const key = `${storeId}/${name}`;
  let sync = opened.get(key);
  if (!sync) {
    sync = openDevice(storeId, name, route);
    opened.set(key, sync);
  }
  return sync;
}

async function openDevice(storeId: string, name: string, route: Route): Promise<FileSync> {
  const { endpoint: direct, faulty } = await backend();
  const token = await devToken(direct, storeId);
  if (route.kind === 'faulty') {
    rules.push(...route.faults.map((fault) => ({ ...fault, path: `^/api/stores/${storeId}/` })));
    await fetch(`${faulty}/__faults`, { method: 'POST', body: JSON.stringify({ rules }) });
  }
  const endpoint = route.kind === 'direct' ? direct : route.kind === 'faulty' ? faulty : UNREACHABLE;
  const suffix = crypto.randomUUID().slice(0, 8);
  return FileSync.open({
    endpoint,
    storeId,
    token,
    localDirectory: `storybook-${name}-${suffix}`,
    adapter: makeInMemoryAdapter({
      clientId: `${name}-${suffix}`,
      // An unreachable device has no sync connection at all, as when the network is gone.
      ...(route.kind === 'unreachable' ? {} : { sync: { backend: makeWsSync({ url: syncUrlOf(endpoint) }) } }),
    }),
  });
}

/** A store id no other story (or earlier visit) shares. */
export const freshStore = (label: string) => `sb-${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Waits until `predicate` holds for the store's files (a story that shows a state waits for it). */
export function filesWhere(sync: FileSync, predicate: (files: ReturnType<FileSync['files']['get']>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const stop = sync.files.subscribe((files) => {
      if (!predicate(files)) return;
      queueMicrotask(() => stop());
      resolve();
    });
  });
}
