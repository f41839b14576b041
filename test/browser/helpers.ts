/** Shared by the browser tests: the local backend the test runner started, and dev tokens for it. */
import { FileSync, type FileSyncOptions } from '../../src/core/index.js';
import type { FileView } from '../../src/core/views/state.js';
import type { SyncSummary } from '../../src/core/views/summary.js';
import type { ReadonlyObservable } from '../../src/core/observable.js';
import { contentHashOfBytes } from '../support/page-content-hash.mjs';

interface TestConfig {
  readonly backendUrl: string;
  /** The fault-injecting proxy in front of the backend (test/support/fault-proxy.mjs). */
  readonly proxyUrl: string;
}

let config: Promise<TestConfig> | undefined;
const testConfig = () => (config ??= fetch('/__test-config.json').then((r) => r.json() as Promise<TestConfig>));

export async function backendUrl(): Promise<string> {
  return (await testConfig()).backendUrl;
}

export async function proxyUrl(): Promise<string> {
  return (await testConfig()).proxyUrl;
}

export interface FaultRule {
  readonly method?: string;
  readonly path?: string;
  readonly times?: number;
  readonly action: 'status' | 'refuse' | 'stall' | 'hold-answer' | 'cut' | 'corrupt';
  readonly status?: number;
  readonly retryAfter?: number;
  readonly ms?: number;
  readonly afterBytes?: number;
}

export interface FaultReport {
  readonly injected: Partial<Record<FaultRule['action'], number>>;
  readonly log: readonly { method: string; path: string; status: number; fault?: string; at: number; detail?: string }[];
}

/** Replaces the proxy's fault rules (and, with `reset`, its counts and log). */
export async function setFaults(rules: readonly FaultRule[], { reset = false } = {}): Promise<void> {
  const url = `${await proxyUrl()}/__faults`;
  if (reset) await fetch(url, { method: 'DELETE' });
  await fetch(url, { method: 'POST', body: JSON.stringify({ rules }) });
}

export async function faultReport(): Promise<FaultReport> {
  // no-store: the same address answers differently every time (WebKit once answered it from its cache).
  const response = await fetch(`${await proxyUrl()}/__faults`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`the fault proxy answered ${response.status} for its report: ${(await response.text()).slice(0, 200)}`);
  return response.json() as Promise<FaultReport>;
}

export async function devToken(storeId: string, scopes: ('read' | 'write')[] = ['read', 'write']): Promise<string> {
  const response = await fetch(`${await backendUrl()}/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ storeId, scopes }),
  });
  if (!response.ok) throw new Error(`dev token: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

export const uniqueStoreId = (prefix = 't') => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export async function openSync(storeId: string, extra: Partial<FileSyncOptions> = {}): Promise<FileSync> {
  return FileSync.open({ endpoint: await backendUrl(), storeId, token: await devToken(storeId), ...extra });
}

/** Resolves when `predicate` holds for the file list, or rejects after `timeoutMs` with what was last seen. */
export function waitForFiles(sync: FileSync, predicate: (files: readonly FileView[]) => boolean, timeoutMs = 20_000): Promise<readonly FileView[]> {
  return new Promise((resolve, reject) => {
    let last: readonly FileView[] = [];
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out; last seen: ${JSON.stringify(last.map((f) => ({ id: f.id, state: f.state })))}`));
    }, timeoutMs);
    unsubscribe = sync.files.subscribe((files) => {
      last = files;
      if (!predicate(files)) return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      resolve(files);
    });
  });
}

/** Resolves with the summary once `predicate` holds for it, or rejects after `timeoutMs` with what was last seen. */
export function waitForSummary(sync: FileSync, predicate: (summary: SyncSummary) => boolean, timeoutMs = 20_000): Promise<SyncSummary> {
  return waitForValue(sync.summary, predicate, 'the summary', timeoutMs);
}

/** Resolves with an observable's value once `predicate` holds for it, or rejects after `timeoutMs` saying what it waited for and saw last. */
export function waitForValue<T>(observable: ReadonlyObservable<T>, predicate: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(observable.get())}`));
    }, timeoutMs);
    unsubscribe = observable.subscribe((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      resolve(value);
    });
  });
}

/** The kit's content hash of a blob, computed apart from the kit (test/support/page-content-hash.mjs). */

export async function contentHashOf(blob: Blob): Promise<string> {
  return contentHashOfBytes(await blob.arrayBuffer());
}

/** Deterministic pseudo-random bytes (incompressible, unlike zeros). */
export function randomBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** A second "device" of a store in the same page: its own in-memory LiveStore client and its own OPFS directory. */
export async function openOtherDevice(
  storeId: string,
  name = 'device-b',
  extra: Partial<FileSyncOptions> = {},
  /** Where its LiveStore syncs (default: the endpoint's sync socket); a dead port injects a deaf device. */
  syncUrl?: string,
): Promise<FileSync> {
  const { makeInMemoryAdapter } = await import('@livestore/adapter-web');
  const { makeWsSync } = await import('@livestore/sync-cf/client');
  const { syncUrlOf } = await import('../../src/core/store/store.js');
  const endpoint = extra.endpoint ?? (await backendUrl());
  return FileSync.open({
    ...extra,
    endpoint,
    storeId,
    token: await devToken(storeId),
    localDirectory: `${name}-${crypto.randomUUID().slice(0, 6)}`,
    adapter: makeInMemoryAdapter({ clientId: `${name}-${crypto.randomUUID().slice(0, 6)}`, sync: { backend: makeWsSync({ url: syncUrl ?? syncUrlOf(endpoint) }) } }),
  });
}

/** The backend's status for a stored object (the body is discarded, so the connection is freed). */
export async function remoteStatus(storeId: string, remoteKey: string): Promise<number> {
  const response = await fetchRemote(storeId, remoteKey);
  await response.body?.cancel();
  return response.status;
}

export async function fetchRemote(storeId: string, remoteKey: string): Promise<Response> {
  // no-store: downloads are cacheable for a year (bytes under a key never change), and a test asks afresh.
  return fetch(`${await backendUrl()}/api/stores/${storeId}/files/${remoteKey}`, {
    headers: { authorization: `Bearer ${await devToken(storeId)}` },
    cache: 'no-store',
  });
}

/**
 * Opens FileSyncs for one `describe` and closes them after each test, with the fault proxy reset around
 * every test. Call inside `describe`; use the returned `track` on every FileSync the test opens.
 */
export function useSyncs(): (sync: FileSync) => FileSync {
  const opened: FileSync[] = [];
  beforeEach(() => setFaults([], { reset: true }));
  afterEach(async () => {
    await setFaults([], { reset: true });
    await Promise.all(opened.splice(0).map((sync) => sync.close()));
  });
  return (sync) => (opened.push(sync), sync);
}

/** Whether this browser decodes a JPEG at a smaller size (WebCodecs' ImageDecoder; WebKitGTK has none). */
export const decodesScaled = typeof ImageDecoder !== 'undefined';

/** Whether a page here writes files to OPFS itself (WebKitGTK's cannot, and the kit keeps files in memory there). */
export const pagesWriteFiles = typeof FileSystemFileHandle !== 'undefined' && 'createWritable' in FileSystemFileHandle.prototype;

/** Whether the test runner can press keys and emulate screens here (not in WebKitGTK's MiniBrowser, run without WebDriver). */
export const runnerDrivesInput = /Chrome|Firefox/.test(navigator.userAgent);

/**
 * A fault injected on purpose: this device's disk does not finish writing a file until `release()` (a stalled
 * disk), so a test can look at a file while it is being saved.
 */
export function holdSaves(sync: FileSync): { release(): void } {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const writeBlob = sync.local.writeBlob.bind(sync.local);
  Object.assign(sync.local, { writeBlob: async (id: string, blob: Blob) => (await held, writeBlob(id, blob)) });
  return { release };
}
