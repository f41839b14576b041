import { css, html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { FileView } from '../../core/state.js';
import '../file-image/define.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { describeState } from '../shared/format.js';
import { translationFor, type Translation } from '../shared/localize.js';
import { LocalizedElement } from '../shared/localized-element.js';
import { focusRing, visuallyHidden } from '../shared/styles.js';

/** Deleting waits this long for an undo before it is committed. */
const UNDO_MS = 5000;
const PAGE = 60;
/**
 * Tiles added per frame while a page of them comes in: rendering 60 image tiles at once (a load, a "show
 * more") was one main-thread task of 55-65 ms with 1,000 files in the store (bench case `gallery`).
 */
const TILES_PER_FRAME = 20;

/**
 * @summary Every live file of the store, newest first: images as `<ls-file-image>`, other files by name with a
 *   download button. Deleting can be undone for a few seconds. Renders 60 files at a time ("show more").
 *
 * @slot empty - Shown when the store has no files.
 *
 * @event ls-file-deleted - A file was deleted (after its undo period). `detail.fileId`.
 *
 * @csspart base - The grid.
 * @csspart item - One file's tile.
 * @csspart name - A file's name.
 * @csspart state - A file's sync state.
 * @csspart delete - A file's delete button.
 * @csspart download - A non-image file's download button.
 * @csspart undo - The bar that offers to undo a deletion.
 * @csspart more - The "show more" button.
 *
 * @cssproperty --ls-gallery-columns - Minimum tile width (default `10rem`).
 * @cssproperty --ls-gallery-gap - Gap between tiles.
 */
export class LsFileGallery extends LocalizedElement {
  static override properties = {
    files: { state: true, attribute: false },
    count: { type: Number, reflect: true },
    limit: { state: true, attribute: false },
    rendered: { state: true, attribute: false },
    pendingDeletes: { state: true, attribute: false },
  };

  // A tile has `content-visibility: auto`: tiles off screen skip style, layout and paint, so a gallery of a
  // thousand files costs what a screen does. An image's box is sized by the tile alone (`contain: size
  // layout`), so the browser lays out what changes in it (its image arriving) without the rest of the page;
  // a grid's items cannot be laid out apart from their grid, hence tiles of block layout rather than grids.
  // Before, each image shown laid out the whole grid of 1,000 tiles (12-46 ms in a trace of the gallery
  // bench case). (Comments inside the css template would ship in the bundle.)
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
      gap: var(--ls-gallery-gap);
    }
    [part='item'] {
      display: flow-root;
      min-width: 0;
      content-visibility: auto;
      contain-intrinsic-size: auto 14rem;
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
    [part='more'] {
      margin-top: var(--ls-gallery-gap);
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
  /** @internal How many files are to be shown (pages of 60). */
  declare limit: number;
  /** @internal How many of them are rendered so far: it catches up with `limit` a few tiles a frame. */
  declare rendered: number;
  /** @internal Files deleted in this gallery whose deletion can still be undone. */
  declare pendingDeletes: ReadonlyMap<string, { name: string; timer: ReturnType<typeof setTimeout> }>;

  constructor() {
    super();
    this.files = [];
    this.count = 0;
    this.limit = PAGE;
    this.rendered = TILES_PER_FRAME;
    this.pendingDeletes = new Map();
  }

  readonly #controller = new FileSyncController(this, (sync) =>
    sync.files.subscribe((files) => {
      this.files = files;
    }),
  );

  // Not cancelled when the gallery leaves the page: the frame only moves a count, and a gallery put back
  // in the page mid-page then still fills in.
  #nextTiles: number | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Leaving the page (or re-rendering it) confirms what was deleted here.
    for (const id of [...this.pendingDeletes.keys()]) this.#commitDelete(id);
  }

  protected override willUpdate(): void {
    this.count = this.files.filter((f) => !this.pendingDeletes.has(f.id)).length;
    if (this.rendered < Math.min(this.limit, this.count) && this.#nextTiles === undefined) {
      this.#nextTiles = requestAnimationFrame(() => {
        this.#nextTiles = undefined;
        this.rendered = Math.min(this.limit, this.rendered + TILES_PER_FRAME);
      });
    }
  }

  protected override render() {
    const t = translationFor(this);
    const visible = this.files.filter((f) => !this.pendingDeletes.has(f.id));
    const undo = [...this.pendingDeletes].at(-1);
    return html`${visible.length === 0
        ? html`<slot name="empty"><p>${t.emptyGallery}</p></slot>`
        : html`<ul part="base">
            ${repeat(
              visible.slice(0, Math.min(this.limit, this.rendered)),
              (f) => f.id,
              // The core hands out the same view object while a file is unchanged: one change renders one tile.
              (f) => guard([f, t], () => this.#renderItem(f, t)),
            )}
          </ul>`}
      ${visible.length > this.limit
        ? html`<button part="more" type="button" @click=${() => (this.limit += PAGE)}>${t.showMore(visible.length - this.limit)}</button>`
        : nothing}
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
  #renderItem(f: FileView, t: Translation) {
    return html`<li part="item" data-file-id=${f.id} data-state=${f.state.kind}>
      ${f.type.startsWith('image/')
        ? html`<ls-file-image file-id=${f.id}></ls-file-image>`
        : html`<div class="file-icon" aria-hidden="true">${extensionOf(f.name)}</div>`}
      <span part="name" title=${f.name}>${f.name}</span>
      <span part="state">${describeState(f.state, t)}</span>
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
      this.dispatchEvent(new CustomEvent('ls-file-deleted', { detail: { fileId: id }, bubbles: true, composed: true }));
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
  interface HTMLElementEventMap {
    'ls-file-deleted': CustomEvent<{ fileId: string }>;
  }
}
