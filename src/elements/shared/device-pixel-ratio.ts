/**
 * Tells elements when the page's device pixel ratio changes (a zoom, the window moved to a denser screen):
 * no element's CSS box changes then, so a ResizeObserver does not fire. One media query for the whole page,
 * however many images listen.
 */
const listeners = new Set<() => void>();
let watching = false;

function watch(): void {
  // A query matches one ratio only: once it stops matching, the next one is for the new ratio.
  matchMedia(`(resolution: ${devicePixelRatio}dppx)`).addEventListener(
    'change',
    () => {
      watch();
      for (const listener of [...listeners]) listener();
    },
    { once: true },
  );
}

/** Calls `listener` whenever the device pixel ratio changes, until the returned function is called. */
export function onDevicePixelRatioChange(listener: () => void): () => void {
  listeners.add(listener);
  if (!watching) watch();
  watching = true;
  return () => listeners.delete(listener);
}
