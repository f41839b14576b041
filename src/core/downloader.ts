/**
 * A download as one byte stream that survives interruptions: when the connection drops mid-body, it asks
 * again for the rest with `Range` and carries on, so the hash and the OPFS write see one continuous stream.
 */
import { TransferError } from './errors.js';
import type { RemoteFileStorage } from './remote-storage.js';

/** Range requests tried after a cut before the download is handed back to the queue's backoff. */
const MAX_RESUMES = 3;

export async function openResumableDownload(
  remote: RemoteFileStorage,
  remoteKey: string,
  size: number,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  let received = 0;
  let resumes = 0;
  let reader = await bodyReader(await remote.download(remoteKey, { signal }));

  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      for (;;) {
        try {
          const { done, value } = await readWithin(reader, remote.idleTimeoutMs);
          if (done) {
            if (received < size) throw new TypeError(`The body ended after ${received} of ${size} bytes`);
            controller.close();
            return;
          }
          received += value.byteLength;
          controller.enqueue(value);
          return;
        } catch (error) {
          // Only a broken connection is resumed; an abort or anything else ends the download.
          if (signal.aborted || !(error instanceof TypeError) || resumes >= MAX_RESUMES || received >= size) throw error;
          resumes++;
          const response = await remote.download(remoteKey, { signal, range: { start: received } });
          const range = response.headers.get('content-range');
          if (response.status !== 206 || !range?.startsWith(`bytes ${received}-`)) {
            await response.body?.cancel();
            throw new TransferError('range_unsupported', 'The backend did not resume the download where it stopped', response.status, true);
          }
          reader = await bodyReader(response);
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** A read that takes longer than `ms` counts as a cut connection (and is resumed like one). */
async function readWithin<T>(reader: ReadableStreamDefaultReader<T>, ms: number): Promise<ReadableStreamReadResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TypeError('The download stalled: no bytes for too long');
      void reader.cancel(error).catch(() => {});
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([reader.read(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

async function bodyReader(response: Response): Promise<ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>> {
  if (response.body === null) throw new TransferError('empty_body', 'The backend sent no bytes', response.status, true);
  return response.body.getReader() as ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>;
}
