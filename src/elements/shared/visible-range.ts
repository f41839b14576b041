import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Items rendered before the rows were first measured. */
const FIRST = 20;
/**
 * New items rendered in one frame beyond those on screen: rendering 60 image tiles at once was one
 * main-thread task of 55-65 ms here (bench case `gallery`). After a jump (the scrollbar dragged, a link to
 * the end) the rows on screen come first, the rows around them a few a frame after.
 */
const NEW_PER_FRAME = 20;

/**
 * Which items of a long grid (or list) are near the viewport: its host renders those alone, inside an
 * element padded for the rows it leaves out, so that a gallery of ten thousand files keeps a few screens of
 * tiles in the document. With every tile in the document (those off screen skipping their rendering with
 * `content-visibility: auto`), each screen of images coming into view made the browser lay out and
 * pre-paint the grid of all of them: tasks of 50-80 ms while looking through 1,000 images (bench case
 * `gallery`).
 *
 * Rows are taken to be of one height, measured on the first item rendered (the grid's `grid-auto-rows: 1fr`
 * makes them so); the columns are read from the grid's resolved template, one when the list is no grid. Rows
 * a screen above and below the viewport are rendered too, so that keyboard focus and images about to be
 * seen find their tiles there.
 */
export class VisibleRange implements ReactiveController {
  /** The items to render: from `start` to before `end`. */
  start = 0;
  end = FIRST;
  /** Room in pixels for the rows left out above and below. */
  above = 0;
  below = 0;
  #count = 0;
  #columns = 1;
  #stride = 0;
  #frame = 0;
  readonly #resizes = new ResizeObserver(() => this.#schedule());

  /**
   * @param padded the element padded for the rows left out; its first element child is the grid, whose
   *   element children are the items rendered.
   */
  constructor(
    private readonly host: ReactiveControllerHost & Element,
    private readonly padded: () => HTMLElement | null,
  ) {
    host.addController(this);
  }

  /** The items of `all` to render now. */
  slice<T>(all: readonly T[]): readonly T[] {
    // A range that reached the end takes in the items added since it was measured: else a tile at the
    // end (the oldest file, pushed on by a new one) would leave the screen until the next frame.
    if (this.end >= this.#count) this.end = Math.max(this.end, Math.min(all.length, this.#count + NEW_PER_FRAME));
    this.#count = all.length;
    return all.slice(this.start, this.end);
  }

  hostConnected(): void {
    this.#listen(addEventListener);
    this.#resizes.observe(this.host);
  }

  hostDisconnected(): void {
    this.#listen(removeEventListener);
    this.#resizes.disconnect();
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  hostUpdated(): void {
    this.#schedule();
  }

  #listen(how: typeof addEventListener): void {
    how('scroll', this.#schedule, { capture: true, passive: true });
    how('resize', this.#schedule);
  }

  #schedule = () => {
    this.#frame ||= requestAnimationFrame(this.#measure);
  };

  #measure = () => {
    this.#frame = 0;
    const padded = this.padded();
    const item = padded?.firstElementChild?.firstElementChild as HTMLElement | null | undefined;
    if (item) {
      const style = getComputedStyle(item.parentElement!);
      // `none` when the list is no grid: one column.
      this.#columns = style.gridTemplateColumns.split(' ').length;
      this.#stride = item.offsetHeight + (parseFloat(style.rowGap) || 0);
    }
    const [columns, stride] = [this.#columns, this.#stride];
    if (!padded || !stride) return;
    // Where the first row is, or would be, in the viewport.
    const top = item ? item.getBoundingClientRect().top - this.above : padded.getBoundingClientRect().top;
    const rows = Math.ceil(this.#count / columns);
    // The rows within `margin` pixels of the viewport: from the first to before the last.
    const near = (margin: number) => [clamp((-top - margin) / stride, rows), clamp((innerHeight - top + margin) / stride + 1, rows)] as const;
    const [onFirst, onLast] = near(0);
    const [wantFirst, wantLast] = near(innerHeight);
    let [first, last] = [clamp(this.start / columns, rows), clamp(this.end / columns + 1, rows)];
    const step = Math.ceil(NEW_PER_FRAME / columns / 2);
    // After a jump, the rows on screen first; else a few more rows a frame.
    [first, last] =
      last < onFirst || first > onLast ? [onFirst, onLast] : [Math.max(wantFirst, Math.min(first, onFirst) - step), Math.min(wantLast, Math.max(last, onLast) + step)];
    if (first !== wantFirst || last !== wantLast) this.#schedule();
    const next = { start: first * columns, end: last * columns, above: first * stride, below: (rows - last) * stride };
    if (Object.entries(next).every(([key, value]) => this[key as keyof typeof next] === value)) return;
    Object.assign(this, next);
    this.host.requestUpdate();
  };
}

/** The whole part of `n` within 0 and `max`. */
const clamp = (n: number, max: number) => Math.max(0, Math.min(max, Math.floor(n)));
