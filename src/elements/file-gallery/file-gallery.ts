import { css, html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { FileView } from '../../core/for-elements.js';
import { LsFileDeletedEvent } from '../events/events.js';
import '../file-image/define.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { describeState } from '../shared/format.js';
import { translationFor, type Translation } from '../shared/localize.js';
import { LocalizedElement } from '../shared/localized-element.js';
import { focusRing, visuallyHidden } from '../shared/styles.js';
import { VisibleRange } from '../shared/visible-range.js';

/** Deleting waits this long for an undo before it is committed. */
const UNDO_MS = 5000;

/**
 * @summary Every live file of the store, newest first: images as `<ls-file-image>`, other files by name with a
 *   download button. Deleting can be undone for a few seconds. Only the tiles near the viewport are in the
 *   document, so a gallery of thousands scrolls as one of a screen.
 *
 * @slot empty - Shown when the store has no files.
 *
 * @event {LsFileDeletedEvent} ls-file-deleted - A file was deleted (after its undo period). `detail.fileId`.
 *
 * @csspart base - The grid. Its rows are all as tall as the tallest (`grid-auto-rows: 1fr`): the tiles off
 *   screen are left out and their room reckoned from the rows rendered.
 * @csspart item - One file's tile.
 * @csspart name - A file's name.
 * @csspart state - A file's sync state.
 * @csspart delete - A file's delete button.
 * @csspart download - A non-image file's download button.
 * @csspart undo - The bar that offers to undo a deletion.
 *
 * @cssproperty --ls-gallery-columns - Minimum tile width (default `10rem`).
 * @cssproperty --ls-gallery-gap - Gap between tiles.
 */
export class LsFileGallery extends LocalizedElement {
  static override properties = {
    files: { state: true, attribute: false },
    count: { type: Number, reflect: true },
    pendingDeletes: { state: true, attribute: false },
  };

  // Only the tiles near the viewport are rendered (VisibleRange). An image's box is sized by the tile alone
  // (`contain: size layout`), so the browser lays out what changes in it (its image arriving) without the
  // rest of the page; a grid's items cannot be laid out apart from their grid, hence tiles of block layout
  // rather than grids. Before, each image shown laid out the whole grid (12-46 ms with 1,000 tiles in a
  // trace of the gallery bench case). (Comments inside the css template would ship in the bundle.)
  static override styles = [
    visuallyHidden,
    focusRing,
    css`
    :host {
      display: block;
      --ls-gallery-columns: 10rem;
      --ls-gallery-gap: 0.75rem;
    }
    [part='base'] {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(var(--ls-gallery-columns), 1fr));
      grid-auto-rows: 1fr;
      gap: var(--ls-gallery-gap);
    }
    [part='item'] {
      display: flow-root;
      min-width: 0;
    }
    [part='item'] > * + * {
      margin-block-start: 0.25rem;
    }
    ls-file-image {
      display: block;
      width: 100%;
      aspect-ratio: 1;
      contain: size layout;
    }
    [part='name'],
    [part='state'] {
      display: block;
    }
    [part='name'] {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    [part='state'] {
      font-size: 0.8em;
      opacity: 0.8;
    }
    .actions {
      display: flex;
      gap: 0.25rem;
      flex-wrap: wrap;
    }
    [part='undo'] {
      margin-top: var(--ls-gallery-gap);
      display: inline-flex;
      gap: 0.75rem;
      align-items: center;
      padding: 0.5rem 0.75rem;
      border-radius: var(--ls-radius, 0.5rem);
      background: var(--ls-color-inverse, light-dark(#1f2937, #f3f4f6));
      color: var(--ls-color-on-inverse, light-dark(#fff, #111827));
    }
    .file-icon {
      aspect-ratio: 1;
      display: grid;
      place-items: center;
      background: var(--ls-image-placeholder, light-dark(#e5e7eb, #374151));
      font-weight: 600;
      text-transform: uppercase;
    }
  `,
  ];

  /** @internal */
  declare files: readonly FileView[];
  /** How many files the store has (not counting those deleted and awaiting undo). Read-only. */
  declare count: number;
  /** @internal Files deleted in this gallery whose deletion can still be undone. */
  declare pendingDeletes: ReadonlyMap<string, { name: string; timer: ReturnType<typeof setTimeout> }>;

  constructor() {
    super();
    this.files = [];
    this.count = 0;
    this.pendingDeletes = new Map();
  }

  readonly #controller = new FileSyncController(this, (sync) =>
    sync.files.subscribe((files) => {
      this.files = files;
    }),
  );

  readonly #range = new VisibleRange(this, () => this.renderRoot.querySelector<HTMLElement>('.rows'));

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Leaving the page (or re-rendering it) confirms what was deleted here.
    for (const id of [...this.pendingDeletes.keys()]) this.#commitDelete(id);
  }

  protected override willUpdate(): void {
    this.count = this.files.filter((f) => !this.pendingDeletes.has(f.id)).length;
  }

  protected override render() {
    const t = translationFor(this);
    const visible = this.files.filter((f) => !this.pendingDeletes.has(f.id));
    const undo = [...this.pendingDeletes].at(-1);
    const range = this.#range;
    // Each tile says where it sits among all of them (`aria-posinset`), as screen readers cannot count
    // the tiles left out.
    return html`${visible.length === 0
        ? html`<slot name="empty"><p>${t.emptyGallery}</p></slot>`
        : html`<div class="rows" style="padding-block:${range.above}px ${range.below}px">
            <ul part="base">
              ${repeat(
                range.slice(visible),
                (f) => f.id,
                // The core hands out the same view object while a file is unchanged: one change renders one tile.
                (f, i) => guard([f, t, i + range.start, visible.length], () => this.#renderItem(f, t, i + range.start, visible.length)),
              )}
            </ul>
          </div>`}
      <div role="status" aria-live="polite">
        ${undo
          ? html`<div part="undo">
              <span>${t.deleted(undo[1].name)}</span>
              <button type="button" @click=${() => this.#undo(undo[0])}>${t.undo}</button>
            </div>`
          : nothing}
      </div>`;
  }

  /** `t` comes from `render`: finding the language walks up the tree, once per render rather than per tile. */
  #renderItem(f: FileView, t: Translation, index: number, count: number) {
    return html`<li part="item" data-file-id=${f.id} data-state=${f.state.kind} aria-posinset=${index + 1} aria-setsize=${count}>
      ${f.type.startsWith('image/')
        ? html`<ls-file-image file-id=${f.id}></ls-file-image>`
        : html`<div class="file-icon" aria-hidden="true">${extensionOf(f.name)}</div>`}
      <span part="name" title=${f.name}>${f.name}</span>
      <span part="state">${describeState(f.state, t, this.#controller.sync?.storage)}</span>
      <span class="actions">
        ${!f.type.startsWith('image/') && f.local
          ? html`<button part="download" type="button" @click=${() => this.#download(f)}>${t.download}</button>`
          : nothing}
        <button part="delete" type="button" @click=${() => this.#delete(f)}>
          ${t.remove}<span class="visually-hidden"> ${f.name}</span>
        </button>
      </span>
    </li>`;
  }

  #delete(file: FileView): void {
    const timer = setTimeout(() => this.#commitDelete(file.id), UNDO_MS);
    this.pendingDeletes = new Map(this.pendingDeletes).set(file.id, { name: file.name, timer });
  }

  #undo(id: string): void {
    this.#takePending(id);
  }

  #commitDelete(id: string): void {
    if (!this.#takePending(id)) return;
    void this.#controller.sync?.deleteFile(id).then(() => {
      this.dispatchEvent(new LsFileDeletedEvent({ fileId: id }));
    });
  }

  /** Ends a deletion's undo period; false when there was none. */
  #takePending(id: string): boolean {
    const pending = this.pendingDeletes.get(id);
    if (!pending) return false;
    clearTimeout(pending.timer);
    const next = new Map(this.pendingDeletes);
    next.delete(id);
    this.pendingDeletes = next;
    return true;
  }

  async #download(view: FileView): Promise<void> {
    const file = await this.#controller.sync?.getFile(view.id);
    if (!file) return;
    const url = URL.createObjectURL(file);
    const link = Object.assign(document.createElement('a'), { href: url, download: view.name });
    link.click();
    // The browser has started reading the blob by the next task.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

const extensionOf = (name: string) => (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1, name.lastIndexOf('.') + 5) : 'file');

declare global {
  interface HTMLElementTagNameMap {
    'ls-file-gallery': LsFileGallery;
  }
}
