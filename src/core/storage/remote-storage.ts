/**
 * The backend's file API, from the client's side. Every failure becomes a `TransferError` that says whether
 * retrying can help; bodies stream (a disk-backed Blob up, a ReadableStream down), never whole in memory.
 */
import { TransferError, isTransientStatus, parseRetryAfter } from '../errors.js';
import { sha256Hex } from './hash.js';
import { requestSignal } from './request-signal.js';
import { FILE_PATH_HEADER, filePath, storeFileRoute } from '../wire.js';

export interface RemoteConfig {
  /** The worker's origin (and optional base path), e.g. `https://files.example.com`. */
  readonly endpoint: string;
  readonly storeId: string;
  readonly token: () => string;
  /**
   * A request that moves no byte for this long (no answer, no upload or download progress) is dropped and
   * retried as a network failure: a half-open connection would otherwise hang its transfer forever.
   */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const COMPLETE_TIMEOUT_MS = 15 * 60_000;

export interface UploadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (loaded: number) => void;
}

/** A request's URL and the headers that go with it (the token, the file it is about). */
interface RequestTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export class RemoteFileStorage {
  constructor(readonly config: RemoteConfig) {}

  get idleTimeoutMs(): number {
    return this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  /**
   * The file's own URL (what the service worker fetches; the kit's transfers go to the store's one file
   * route instead, see `#at`). The service worker stays at the file's own URL because there the browser's
   * cache keeps the answer (`immutable`): an image shown again from the backend is not fetched again, which
   * outweighs one preflight per file. `remoteKey` is `<fileId>/<content hash>`, as recorded in the synced
   * `files` table.
   */
  url(remoteKey: string): string {
    return `${this.#base()}${filePath(this.config.storeId, remoteKey)}`;
  }

  #base(): string {
    return this.config.endpoint.replace(/\/+$/, '');
  }

  #auth(): Record<string, string> {
    return { authorization: `Bearer ${this.config.token()}` };
  }

  /**
   * Where the kit's requests about `remoteKey` (and `rest`: `/uploads/…`) go: the store's one file route, the
   * file named in a header. The browser's answer to its CORS preflight of that URL serves every transfer for
   * the answer's lifetime; at `url(remoteKey)` each file and each part paid a preflight (bench/README.md).
   */
  #at(remoteKey: string, rest = ''): RequestTarget {
    return { url: `${this.#base()}${storeFileRoute(this.config.storeId)}`, headers: { ...this.#auth(), [FILE_PATH_HEADER]: `${remoteKey}${rest}` } };
  }

  /**
   * Uploads a blob under `remoteKey` in one request; the server refuses bytes that do not hash to the key's
   * content hash. The request also carries the bytes' plain SHA-256, which R2 checks as it stores them, so a
   * body damaged on the way never replaces what the key held. The blob is read whole for it: one request's
   * worth (the multipart threshold), natively hashed.
   */
  async upload(remoteKey: string, blob: Blob, type: string, options: UploadOptions = {}): Promise<void> {
    const sha256 = await sha256Hex(await blob.arrayBuffer());
    const at = this.#at(remoteKey);
    await this.#put(at.url, blob, { ...at.headers, 'content-type': type || 'application/octet-stream', 'x-content-sha256': sha256 }, options);
  }

  /** Starts a multipart upload of `size` bytes; returns its id. */
  async startMultipart(remoteKey: string, size: number, type: string, signal?: AbortSignal): Promise<string> {
    const at = this.#at(remoteKey, '/uploads');
    const response = await this.#fetch(at.url, {
      method: 'POST',
      body: JSON.stringify({ size }),
      headers: { ...at.headers, 'content-type': type || 'application/octet-stream' },
      ...(signal ? { signal } : {}),
    });
    return ((await response.json()) as { uploadId: string }).uploadId;
  }

  /** Uploads part `partNumber` (from 1) and returns the etag R2 gave it. */
  async uploadPart(remoteKey: string, uploadId: string, partNumber: number, blob: Blob, options: UploadOptions = {}): Promise<string> {
    const at = this.#atUpload(remoteKey, uploadId, `/parts/${partNumber}`);
    const body = await this.#put(at.url, blob, { ...at.headers, 'content-type': 'application/octet-stream' }, options);
    return (JSON.parse(body) as { etag: string }).etag;
  }

  /** Completes a multipart upload; `hash`, the content hash the parts must make, is what a staged upload is stored under. */
  async completeMultipart(
    remoteKey: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
    hash: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const at = this.#atUpload(remoteKey, uploadId, '/complete');
    const response = await this.#fetch(
      at.url,
      {
        method: 'POST',
        body: JSON.stringify({ parts, hash }),
        headers: { ...at.headers, 'content-type': 'application/json' },
        ...(signal ? { signal } : {}),
      },
      // Parts that are not whole 4 MiB blocks (a `minPartSize` of another size) make the worker read the
      // whole assembled object back to check its hash before it answers: for a file of gigabytes that is
      // minutes of silence that is not a stall.
      COMPLETE_TIMEOUT_MS,
    );
    await response.body?.cancel();
  }

  /** Aborts a multipart upload; an upload already gone counts as aborted. */
  async abortMultipart(remoteKey: string, uploadId: string, signal?: AbortSignal): Promise<void> {
    const at = this.#atUpload(remoteKey, uploadId);
    const response = await this.#fetch(at.url, {
      method: 'DELETE',
      headers: at.headers,
      ...(signal ? { signal } : {}),
    }).catch((error: unknown) => {
      if (error instanceof TransferError && error.status === 404) return undefined;
      throw error;
    });
    await response?.body?.cancel();
  }

  #atUpload(remoteKey: string, uploadId: string, rest = ''): RequestTarget {
    return this.#at(remoteKey, `/uploads/${encodeURIComponent(uploadId)}${rest}`);
  }

  /** PUTs a blob (`headers` carry the token and the file), with upload progress where XHR exists; resolves with the response text. */
  #put(url: string, blob: Blob, headers: Record<string, string>, options: UploadOptions): Promise<string> {
    // XHR, not fetch: fetch has no upload progress, and a streamed fetch body needs HTTP/2.
    if (typeof XMLHttpRequest === 'undefined') return this.#putWithFetch(url, blob, headers, options);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      let stalled = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const watch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          stalled = true;
          xhr.abort();
        }, this.idleTimeoutMs);
      };
      xhr.onloadend = () => clearTimeout(idle);
      xhr.open('PUT', url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        watch();
        options.onProgress?.(event.loaded);
      };
      xhr.onprogress = watch;
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.responseText);
        else reject(errorFromStatus(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')));
      };
      xhr.onerror = () => reject(networkError());
      xhr.ontimeout = () => reject(networkError());
      xhr.onabort = () => reject(stalled ? stalledError() : (options.signal?.reason ?? new DOMException('Aborted', 'AbortError')));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      if (options.signal?.aborted) return xhr.abort();
      watch();
      xhr.send(blob);
    });
  }

  async #putWithFetch(url: string, blob: Blob, headers: Record<string, string>, options: UploadOptions): Promise<string> {
    const response = await this.#fetch(url, {
      method: 'PUT',
      body: blob,
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.onProgress?.(blob.size);
    return response.text();
  }

  /** Starts a download; the caller streams, hashes and stores the body. */
  async download(remoteKey: string, options: { signal?: AbortSignal; range?: { start: number } } = {}): Promise<Response> {
    const at = this.#at(remoteKey);
    const headers = options.range ? { ...at.headers, range: `bytes=${options.range.start}-` } : at.headers;
    return this.#fetch(at.url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async delete(remoteKey: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const at = this.#at(remoteKey);
    const response = await this.#fetch(at.url, {
      method: 'DELETE',
      headers: at.headers,
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch((error: unknown) => {
      // Already gone is what a delete wants.
      if (error instanceof TransferError && error.status === 404) return undefined;
      throw error;
    });
    await response?.body?.cancel();
  }

  /**
   * Answers whether the backend is reachable at all (any HTTP answer counts). A request that gets no answer
   * within the idle timeout counts as none: the queue waits on this answer (seen in the chaos run: a stalled
   * probe held every transfer of a device for good).
   */
  async reachable(signal?: AbortSignal): Promise<boolean> {
    const request = requestSignal(signal, this.idleTimeoutMs);
    try {
      const response = await fetch(`${this.#base()}/health`, { signal: request.signal });
      await response.body?.cancel();
      return true;
    } catch {
      return false;
    } finally {
      request.clearDeadline();
    }
  }

  async #fetch(url: string, init: RequestInit, idleMs = this.idleTimeoutMs): Promise<Response> {
    // The deadline runs until the answer's headers arrive; a download's body is watched by the downloader.
    const request = requestSignal(init.signal ?? undefined, idleMs);
    let response: Response;
    try {
      // The browser's cache mode stays the default: Chromium asks the backend's leave again (a CORS
      // preflight) for every request that bypasses its HTTP cache, `no-store` included. The worker's answers
      // here are `no-store` themselves, so nothing is kept.
      response = await fetch(url, { ...init, signal: request.signal });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw request.expired ? stalledError() : networkError();
    } finally {
      request.clearDeadline();
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    throw errorFromStatus(response.status, body, response.headers.get('retry-after'));
  }
}

const networkError = () => new TransferError('network', 'The backend could not be reached', 0, true);
const stalledError = () => new TransferError('network', 'The connection stalled: nothing moved for too long', 0, true);

function errorFromStatus(status: number, body: string, retryAfter: string | null): TransferError {
  let code = `http_${status}`;
  let message = `The backend answered ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // Not the API's JSON (a proxy's error page, say): keep the status-derived code.
  }
  if (status === 0) return networkError();
  // Bytes corrupted on the way, or a resumed upload the server no longer knows: sending again can succeed.
  const retryable = isTransientStatus(status) || code === 'hash_mismatch' || code === 'no_such_upload' || code === 'staging_used';
  return new TransferError(code, message, status, retryable, parseRetryAfter(retryAfter));
}
