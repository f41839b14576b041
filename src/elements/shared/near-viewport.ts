/**
 * Tells elements when they come near the viewport, through one IntersectionObserver for all of them: a
 * gallery of a thousand images with an observer each spent an eighth of its main thread computing their
 * intersections while scrolling (5 s of 41 in a trace of the gallery bench case).
 */

/** How near counts as near: what a native `loading="lazy"` image uses, roughly. */
const MARGIN = '200px';

const listeners = new WeakMap<Element, (near: boolean) => void>();
let observer: IntersectionObserver | undefined;

/** Calls `listener` with whether `element` is near the viewport, now and on every change, until the returned function is called. */
export function watchNearViewport(element: Element, listener: (near: boolean) => void): () => void {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) listeners.get(entry.target)?.(entry.isIntersecting);
    },
    { rootMargin: MARGIN },
  );
  listeners.set(element, listener);
  observer.observe(element);
  return () => {
    if (listeners.get(element) !== listener) return;
    listeners.delete(element);
    observer?.unobserve(element);
  };
}
