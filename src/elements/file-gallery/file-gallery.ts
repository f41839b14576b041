import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { FileView } from '../../core/state.js';
import '../file-image/define.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { describeState } from '../shared/format.js';
import { translationFor } from '../shared/localize.js';

/**
 * @summary Every live file of the store, newest first: images as `<ls-file-image>`, other files by name.
 *
 * @slot empty - Shown when the store has no files.
 *
 * @csspart base - The grid.
 * @csspart item - One file's tile.
 * @csspart name - A file's name.
 * @csspart state - A file's sync state.
 * @csspart delete - A file's delete button.
 *
 * @cssproperty --ls-gallery-columns - Minimum tile width (default `10rem`).
 * @cssproperty --ls-gallery-gap - Gap between tiles.
 */
export class LsFileGallery extends LitElement {
  static override properties = {
    files: { state: true, attribute: false },
    count: { type: Number, reflect: true },
  };

  static override styles = css`
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
      display: grid;
      gap: 0.25rem;
      min-width: 0;
    }
    ls-file-image {
      width: 100%;
      aspect-ratio: 1;
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
    .file-icon {
      aspect-ratio: 1;
      display: grid;
      place-items: center;
      background: var(--ls-image-placeholder, #e5e7eb);
      font-weight: 600;
      text-transform: uppercase;
    }
  `;

  /** @internal */
  declare files: readonly FileView[];
  /** How many files are shown. Read-only. */
  declare count: number;

  constructor() {
    super();
    this.files = [];
    this.count = 0;
  }

  readonly #controller = new FileSyncController(this, (sync) =>
    sync.files.subscribe((files) => {
      this.files = files;
      this.count = files.length;
    }),
  );

  protected override render() {
    const t = translationFor(this);
    if (this.files.length === 0) return html`<slot name="empty"><p>${t.emptyGallery}</p></slot>`;
    return html`<ul part="base">
      ${repeat(
        this.files,
        (f) => f.id,
        (f) => html`<li part="item" data-file-id=${f.id} data-state=${f.state.kind}>
          ${f.type.startsWith('image/')
            ? html`<ls-file-image file-id=${f.id}></ls-file-image>`
            : html`<div class="file-icon" aria-hidden="true">${extensionOf(f.name)}</div>`}
          <span part="name" title=${f.name}>${f.name}</span>
          <span part="state">${describeState(f.state, t)}</span>
          <button part="delete" type="button" aria-label=${t.delete(f.name)} @click=${() => this.#controller.sync?.deleteFile(f.id)}>
            ${t.remove}
          </button>
        </li>`,
      )}
    </ul>${nothing}`;
  }
}

const extensionOf = (name: string) => (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1, name.lastIndexOf('.') + 5) : 'file');

declare global {
  interface HTMLElementTagNameMap {
    'ls-file-gallery': LsFileGallery;
  }
}
