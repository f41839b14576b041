/// <reference lib="webworker" />
/**
 * The kit's service worker (optional). It answers `<scope>files/<storeId>/<fileId>` (and `<scope>files/<fileId>`)
 * so a plain `<img src>` works: from OPFS when this device holds the file, else streamed from the backend.
 *
 * It keeps no copy of tokens or records: it asks the page that made the request (or any open page of the
 * kit) through a MessageChannel, and that page answers from its store. See `service-worker-bridge.ts`.
 */
import type { LookupReply, LookupRequest } from './service-worker-protocol.js';

declare const self: ServiceWorkerGlobalScope;

const LOOKUP_TIMEOUT_MS = 10_000;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET' && event.request.method !== 'HEAD') return;
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(`${scope.pathname}files/`)) return;
  const segments = url.pathname.slice(scope.pathname.length + 'files/'.length).split('/');
  const [first, second] = segments;
  if (!first || segments.length > 2) return;
  const request: LookupRequest =
    second === undefined ? { type: 'lsfs-lookup', fileId: first } : { type: 'lsfs-lookup', storeId: first, fileId: second };
  event.respondWith(serve(event, request));
});

async function serve(event: FetchEvent, request: LookupRequest): Promise<Response> {
  const reply = await lookup(event, request);
  if (reply === undefined) return problem(503, 'no_page', 'No page of this site has the file store open');
  if (reply.kind === 'not-found') return problem(404, 'not_found', 'No such file');
  const headers = new Headers({
    'content-type': reply.type || 'application/octet-stream',
    etag: `"${reply.hash}"`,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    // Served on the site's own origin: an uploaded HTML or SVG file must not run as one of its pages.
    'content-security-policy': "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; sandbox",
  });
  if (reply.local) {
    const file = await readLocal(reply.localDirectory, reply.storeId, request.fileId);
    if (file !== undefined && file.size === reply.size) {
      headers.set('content-length', String(file.size));
      headers.set('x-ls-file-source', 'local');
      return new Response(event.request.method === 'HEAD' ? null : file, { status: 200, headers });
    }
  }
  if (reply.bytes !== undefined && reply.bytes.size === reply.size) {
    headers.set('content-length', String(reply.size));
    headers.set('x-ls-file-source', 'memory');
    return new Response(event.request.method === 'HEAD' ? null : reply.bytes, { status: 200, headers });
  }
  if (reply.remoteUrl === undefined) return problem(404, 'not_uploaded', 'The file is not on this device and not uploaded yet');
  const init: RequestInit = { headers: { authorization: `Bearer ${reply.token}` }, method: event.request.method };
  const range = event.request.headers.get('range');
  if (range) (init.headers as Record<string, string>).range = range;
  try {
    const remote = await fetch(reply.remoteUrl, init);
    if (!remote.ok) {
      await remote.body?.cancel();
      if (remote.status === 416) return problem(416, 'range_not_satisfiable', 'The range asked for is outside the file');
      return problem(remote.status === 404 ? 404 : 502, remote.status === 404 ? 'not_found' : 'backend_error', `The backend answered ${remote.status}`);
    }
    // This site's own headers (its type for the file, nosniff, its CSP), whatever the backend's answer carried;
    // only what describes the bytes sent is taken from it.
    for (const name of ['content-length', 'content-range', 'accept-ranges']) {
      const value = remote.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    headers.set('x-ls-file-source', 'remote');
    return new Response(event.request.method === 'HEAD' ? null : remote.body, { status: remote.status, headers });
  } catch {
    return problem(504, 'network', 'The file is not on this device and the backend could not be reached');
  }
}

async function readLocal(directory: string, storeId: string, fileId: string): Promise<File | undefined> {
  try {
    const root = await navigator.storage.getDirectory();
    const dir = await (await root.getDirectoryHandle(directory)).getDirectoryHandle(storeId);
    return await (await dir.getFileHandle(fileId)).getFile();
  } catch {
    return undefined;
  }
}

async function lookup(event: FetchEvent, request: LookupRequest): Promise<LookupReply | undefined> {
  const own = event.clientId ? await self.clients.get(event.clientId) : undefined;
  const others = await self.clients.matchAll({ type: 'window' });
  const candidates = [...(own ? [own] : []), ...others.filter((c) => c.id !== own?.id)];
  for (const client of candidates) {
    const reply = await ask(client, request);
    if (reply !== undefined) return reply;
  }
  return undefined;
}

function ask(client: Client, request: LookupRequest): Promise<LookupReply | undefined> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<LookupReply | null>) => {
      clearTimeout(timer);
      resolve(event.data ?? undefined);
    };
    client.postMessage(request, [channel.port2]);
  });
}

function problem(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
