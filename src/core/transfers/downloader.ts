/**
 * A download as one sequence of chunks that survives interruptions: when the connection drops mid-body, it
 * asks again for the rest with `Range` and carries on, so the hash and the OPFS write see the bytes unbroken.
 */
import { TransferError } from '../errors.js';
import type { ChunkReader } from '../storage/file-storage.js';
import type { RemoteFileStorage } from '../storage/remote-storage.js';

/** Range requests tried after a cut before the download is handed back to the queue's backoff. */
const MAX_RESUMES = 3;

export async function openResumableDownload(
  remote: RemoteFileStorage,
  remoteKey: string,
  size: number,
  signal: AbortSignal,
): Promise<ChunkReader> {
  let received = 0;
  let resumes = 0;
  const remaining = () => size - received;
  let reader = bodyReader(await remote.download(remoteKey, { signal }), remaining);
  const watch = stallWatch(remote.idleTimeoutMs);

  // A reader, not a ReadableStream around one: a stream would add a pull and an enqueue to each of a
  // download's thousands of network chunks, on the page's main thread.
  return {
    async read() {
      for (;;) {
        try {
          const result = await watch.read(reader);
          if (result.done) {
            if (received < size) throw new TypeError(`The body ended after ${received} of ${size} bytes`);
            watch.stop();
            return result;
          }
          received += result.value.byteLength;
          return result;
        } catch (error) {
          // Only a broken connection is resumed; an abort or anything else ends the download.
          if (signal.aborted || !(error instanceof TypeError) || resumes >= MAX_RESUMES || received >= size) {
            watch.stop();
            throw error;
          }
          resumes++;
          const response = await remote.download(remoteKey, { signal, range: { start: received } });
          const range = response.headers.get('content-range');
          if (response.status !== 206 || !range?.startsWith(`bytes ${received}-`)) {
            await response.body?.cancel();
            watch.stop();
            throw new TransferError('range_unsupported', 'The backend did not resume the download where it stopped', response.status, true);
          }
          reader = bodyReader(response, remaining);
        }
      }
    },
    cancel(reason) {
      watch.stop();
      return reader.cancel(reason);
    },
  };
}

/**
 * A read that takes longer than `ms` counts as a cut connection (and is resumed like one). One timer per
 * download, pushed back by every read, rather than a timer and a race per read: a download of 256 MB is
 * thousands of reads, and arming a timer for each cost the page's main thread a third of a second.
 */
function stallWatch(ms: number) {
  let deadline = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onStall: (() => void) | undefined;
  const check = () => {
    const left = deadline - performance.now();
    if (left > 0) timer = setTimeout(check, left);
    else {
      timer = undefined;
      onStall?.();
    }
  };
  return {
    async read(reader: ChunkReader): Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>> {
      deadline = performance.now() + ms;
      timer ??= setTimeout(check, ms);
      let stalled = false;
      onStall = () => {
        stalled = true;
        // Ends the pending read (it resolves as done), which is then reported as the stall it was.
        void reader.cancel(stallError()).catch(() => {});
      };
      const result = await reader.read();
      onStall = undefined;
      if (stalled) throw stallError();
      return result;
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

const stallError = () => new TypeError('The download stalled: no bytes for too long');

/** Bytes each read waits for where the browser can (a BYOB reader's `min`): a few hundred reads per 256 MB. */
const READ_SIZE = 1024 * 1024;

/**
 * The body's reader. Read as it comes, a download is thousands of chunks of 16-64 KB, each one a turn of
 * the read loop, the hash and the write batching on the main thread; a byte reader asked for at least
 * 1 MiB per read hands the same bytes over in a few hundred. Where the body is not a byte stream, or `min`
 * is not known, reads return what has come, as before.
 */
function bodyReader(response: Response, remaining: () => number): ChunkReader {
  if (response.body === null) throw new TransferError('empty_body', 'The backend sent no bytes', response.status, true);
  const body = response.body as ReadableStream<Uint8Array<ArrayBuffer>>;
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    const reader = body.getReader();
    return { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) };
  }
  // One buffer, read into again and again: each chunk is copied (written, hashed) before the next read.
  let buffer = new ArrayBuffer(READ_SIZE);
  return {
    async read() {
      // Never more than the bytes still expected: asked for more than the body held, Chromium's fetch
      // body never answered the last read (downloads of sizes not a multiple of 1 MiB did not finish).
      const result = await byob.read(new Uint8Array(buffer), { min: Math.max(1, Math.min(READ_SIZE, remaining())) });
      if (result.done) return { done: true, value: undefined };
      buffer = result.value.buffer;
      return result;
    },
    cancel: (reason) => byob.cancel(reason),
  };
}
