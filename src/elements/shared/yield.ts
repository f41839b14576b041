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
