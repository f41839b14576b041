/** Errors the core reports, each with a stable `code` an element can show or translate. */

export class FileSyncError extends Error {
  override readonly name: string = 'FileSyncError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Why a store could not be opened, in words: LiveStore's errors can carry no message at all (WebKit's did),
 * so this says what failed and keeps the original as its cause.
 */
export function openFailure(error: unknown): FileSyncError {
  if (error instanceof FileSyncError) return error;
  const detail = error instanceof Error ? error.message || error.name : String(error);
  return new FileSyncError('open_failed', `The file store could not be opened in this browser${detail ? `: ${detail}` : ''}`, { cause: error });
}

/** A failed HTTP exchange with the backend, classified for the retry policy. */
export class TransferError extends FileSyncError {
  override readonly name = 'TransferError';
  constructor(
    code: string,
    message: string,
    /** 0 when no response arrived (network error, refused connection). */
    readonly status: number,
    /** True for faults that resolve by themselves (network, 408, 429, 5xx). */
    readonly retryable: boolean,
    /** The server's `Retry-After`, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
  }
}

/** No answer, a timeout, too early, too many requests, or the server's own failure. */
export const isTransientStatus = (status: number): boolean => status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export const isQuotaError = (error: unknown): boolean =>
  error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
