/**
 * One request's abort signal: aborted when the caller's signal is, or when its deadline passes first.
 *
 * Not `AbortSignal.any`: WebKit (WebKitGTK 2.50 here) can collect the signal it makes while a fetch still
 * waits on it, and the fetch then never aborts (README, "Browsers"). The likely cause: a fetch follows its
 * signal through an abort algorithm rather than an event listener, and WebKit keeps a combined signal alive
 * for its listeners only, where the DOM standard keeps it alive for either ("Garbage collection" under
 * AbortSignal); code derived from WebKit's had exactly that defect (oven-sh/bun#43147). Seen as a download
 * that stayed "downloading" for good behind a stalled request (the transfers tests in WebKit). A controller
 * of the request's own is kept alive by the listener on the caller's signal and by the deadline's timer, as
 * long as either can still abort it.
 */

export interface RequestSignal {
  readonly signal: AbortSignal;
  /** Whether the deadline passed before anything else aborted the request. */
  readonly expired: boolean;
  /** The request got far enough (its answer's headers came): the deadline no longer applies. */
  clearDeadline(): void;
}

export function requestSignal(caller: AbortSignal | undefined, deadlineMs: number): RequestSignal {
  const controller = new AbortController();
  let expired = false;
  if (caller?.aborted) controller.abort(caller.reason);
  // Kept for the request's whole life, body included: the caller giving up ends the reading of the answer too.
  else caller?.addEventListener('abort', () => controller.abort(caller.reason), { once: true });
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    expired = true;
    controller.abort(new DOMException('The request got no answer in time', 'TimeoutError'));
  }, deadlineMs);
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clearDeadline: () => clearTimeout(timer),
  };
}
