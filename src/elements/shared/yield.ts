interface Scheduler {
  yield(): Promise<void>;
}

/**
 * Lets the browser run other tasks (input, rendering) before the caller continues. `scheduler.yield()`
 * resumes ahead of other queued work where the browser has it; a macrotask elsewhere.
 */
export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Partial<Scheduler> }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Resolves once the browser has nothing more pressing to do (at the latest after `timeoutMs`): for work that
 * can wait for what the user is looking at to be drawn. A timer where the browser has no idle callbacks.
 */
export function whenIdle(timeoutMs: number): Promise<void> {
  if (typeof requestIdleCallback === 'function') return new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: timeoutMs }));
  return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 500)));
}

/**
 * Resolves once the browser has begun drawing `count` more frames: an image shown in one frame is painted
 * by the start of the second after it, which waits for the image's decode. Not while the page is hidden.
 */
export function framesDrawn(count: number): Promise<void> {
  return new Promise((resolve) => {
    const next = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => next(left - 1)));
    next(count);
  });
}
