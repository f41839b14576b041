import { html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { FileSync, FileView } from '../../core/for-elements.js';
import { LsFileAddedEvent, LsFileRejectedEvent, type FileRejectedDetail, type RejectionReason } from '../events/events.js';
import { matchesAccept } from '../shared/accept.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { describeState } from '../shared/format.js';
import { formatBytes, translationFor, type Translation } from '../shared/localize.js';
import { LocalizedElement } from '../shared/localized-element.js';
import { parseSize } from '../shared/size.js';
import { styles } from './file-upload.styles.js';

/**
 * @summary A drop zone and file picker that saves files to this device at once and syncs them in the background.
 *   Form-associated: a form submits the saved file ids under `name`. Files can also be pasted; Enter or
 *   Space on the focused control opens the picker.
 *
 * @slot - The drop hint (defaults to a localized "Drop files here or choose files").
 *
 * @event {LsFileAddedEvent} ls-file-added - A file was saved on this device. `detail.fileId` is its id, `detail.file` its view.
 * @event {LsFileRejectedEvent} ls-file-rejected - A file was refused. `detail.reason` is `type`, `size`, `count`, `multiple` or `save-failed`; `detail.message` says why, in the page's language.
 * @event input - Files were added (fired before `change`, as a native file input does).
 * @event change - The set of files held by the control changed.
 *
 * @csspart base - The drop zone.
 * @csspart input - The native `<input type="file">`.
 * @csspart button - The button that opens the picker.
 * @csspart files - The list of files added.
 * @csspart file - One file of the list.
 * @csspart file-name - A file's name.
 * @csspart file-state - A file's sync state.
 * @csspart progress - A file's transfer progress bar, while it uploads or downloads.
 * @csspart retry - The button that tries a failed file again.
 * @csspart remove - The button that removes a file from the control (and deletes it).
 * @csspart rejections - The list of reasons files of the last drop or pick were refused.
 * @csspart rejection - One refused file's reason.
 * @csspart dismiss - The button that clears the refusals.
 *
 * @cssproperty --ls-upload-border - Border of the drop zone.
 * @cssproperty --ls-upload-border-active - Border while files are dragged over.
 * @cssproperty --ls-upload-background - Background of the drop zone.
 * @cssproperty --ls-upload-padding - Padding of the drop zone.
 * @cssproperty --ls-upload-radius - Corner radius of the drop zone.
 * @cssproperty --ls-upload-error - Colour of the reasons files were refused.
 */
export class LsFileUpload extends LocalizedElement {
  static formAssociated = true;
  static override styles = styles;
  static override shadowRootOptions = { ...LocalizedElement.shadowRootOptions, delegatesFocus: true };

  static override properties = {
    accept: { reflect: true },
    multiple: { type: Boolean, reflect: true },
    maxSize: { attribute: 'max-size', reflect: true },
    maxFiles: { type: Number, attribute: 'max-files', reflect: true },
    name: { reflect: true },
    disabled: { type: Boolean, reflect: true },
    required: { type: Boolean, reflect: true },
    dragging: { type: Boolean, reflect: true },
    files: { state: true, attribute: false },
    rejections: { state: true, attribute: false },
  };

  /** File types accepted, as in `<input accept>`: `image/*`, `.pdf`, `application/json`. */
  declare accept: string;
  /** Accept more than one file. */
  declare multiple: boolean;
  /** Largest file accepted: bytes, or with a unit (`500KB`, `10MB`, `2GB`). Empty: no limit. */
  declare maxSize: string;
  /** Most files the control holds. 0: no limit. */
  declare maxFiles: number;
  /** The form field name the saved file ids are submitted under. */
  declare name: string;
  declare disabled: boolean;
  /** The form cannot be submitted until a file is added. */
  declare required: boolean;
  /** Reflects whether files are being dragged over the drop zone. */
  declare dragging: boolean;
  /** The files this control holds, in the order added. */
  declare files: FileView[];
  /** Why files of the last drop or pick were refused, shown until the next one or until dismissed. */
  declare rejections: readonly FileRejectedDetail[];

  readonly #internals: ElementInternals;
  readonly #controller: FileSyncController;
  #watching = new Map<string, () => void>();
  #changed = new Map<string, FileView>();
  #syncWaiters: ((sync: FileSync) => void)[] = [];
  #restoredIds: readonly string[] | undefined;
  #announcement = '';

  constructor() {
    super();
    this.accept = '';
    this.multiple = false;
    this.maxSize = '';
    this.maxFiles = 0;
    this.name = '';
    this.disabled = false;
    this.required = false;
    this.dragging = false;
    this.files = [];
    this.rejections = [];
    this.#internals = this.attachInternals();
    this.#controller = new FileSyncController(this, (sync) => {
      for (const resolve of this.#syncWaiters.splice(0)) resolve(sync);
      if (this.#restoredIds) this.#restore(sync, this.#restoredIds);
      this.#restoredIds = undefined;
      for (const view of this.files) this.#watch(sync, view.id);
      return () => this.#unwatchAll();
    });
    this.addEventListener('dragover', this.#onDragOver);
    this.addEventListener('dragleave', () => (this.dragging = false));
    this.addEventListener('drop', this.#onDrop);
    this.addEventListener('paste', this.#onPaste);
  }

  /** The saved file ids, in the order added. */
  get value(): string[] {
    return this.files.map((f) => f.id);
  }

  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }

  get validity(): ValidityState {
    return this.#internals.validity;
  }

  get validationMessage(): string {
    return this.#internals.validationMessage;
  }

  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }

  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  /** Saves files as if they were dropped: each accepted one is written to this device and recorded. */
  async addFiles(files: FileList | readonly File[]): Promise<FileView[]> {
    const list = [...files];
    if (this.disabled || list.length === 0) return [];
    this.rejections = [];
    const t = translationFor(this);
    const accepted: File[] = [];
    const maxBytes = parseSize(this.maxSize);
    const room = this.maxFiles > 0 ? Math.max(0, this.maxFiles - (this.multiple ? this.files.length : 0)) : Infinity;
    for (const file of list) {
      if (!matchesAccept(file, this.accept)) this.#reject(file, 'type', t.rejectedType(file.name));
      else if (maxBytes !== undefined && file.size > maxBytes) this.#reject(file, 'size', t.rejectedSize(file.name, formatBytes(maxBytes, this)));
      else if (!this.multiple && accepted.length > 0) this.#reject(file, 'multiple', t.rejectedMultiple);
      else if (accepted.length >= room) this.#reject(file, 'count', t.rejectedCount(this.maxFiles));
      else accepted.push(file);
    }
    const sync = this.#controller.sync ?? (await new Promise<FileSync>((resolve) => this.#syncWaiters.push(resolve)));
    const saved: FileView[] = [];
    for (const [index, result] of (await sync.saveFiles(accepted)).entries()) {
      if (result.ok) {
        saved.push(result.file);
        this.#watch(sync, result.file.id);
        this.dispatchEvent(new LsFileAddedEvent({ fileId: result.file.id, file: result.file }));
      } else {
        const file = accepted[index]!;
        this.#reject(file, 'save-failed', t.saveFailed(file.name, result.error.message));
      }
    }
    if (saved.length > 0) {
      // A single-file control replaces its file; the replaced one stays saved in the store.
      this.files = this.multiple ? [...this.files, ...saved] : saved.slice(-1);
      this.#announce([...saved.map((v) => t.added(v.name)), ...this.rejections.map((r) => r.message)].join('. '));
      // As a native file input does: `input`, then `change`.
      this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }
    return saved;
  }

  /** Removes a file from the control and deletes it from the store. */
  async removeFile(id: string): Promise<void> {
    this.files = this.files.filter((f) => f.id !== id);
    this.#watching.get(id)?.();
    this.#watching.delete(id);
    await this.#controller.sync?.deleteFile(id);
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  formResetCallback(): void {
    this.#unwatchAll();
    this.files = [];
  }

  formDisabledCallback(disabled: boolean): void {
    this.disabled = disabled;
  }

  /** Back/forward navigation and autofill: the browser hands back the ids this control held. */
  formStateRestoreCallback(state: string | File | FormData | null): void {
    if (!(state instanceof FormData)) return;
    const ids = state.getAll('id').filter((v): v is string => typeof v === 'string');
    const sync = this.#controller.sync;
    if (sync) this.#restore(sync, ids);
    // The store may open after the browser restores the form: finish when it does.
    else this.#restoredIds = ids;
  }

  #restore(sync: FileSync, ids: readonly string[]): void {
    this.files = ids.map((id) => sync.file(id)).filter((v): v is FileView => v !== undefined);
    for (const view of this.files) this.#watch(sync, view.id);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Progress and state change views, not ids: the form's value is rebuilt only when the ids change.
    const before = changed.get('files');
    const idsChanged = changed.has('files') && (before?.length !== this.files.length || this.files.some((f, i) => f.id !== before[i]?.id));
    if (idsChanged || changed.has('name') || changed.has('required')) this.#syncForm();
  }

  protected override render() {
    const t = translationFor(this);
    return html`
      <div part="base">
        <input
          part="input"
          type="file"
          hidden
          accept=${this.accept || nothing}
          ?multiple=${this.multiple}
          ?disabled=${this.disabled}
          @change=${this.#onInputChange}
        />
        <slot>${t.dropHint}</slot>
        <button part="button" type="button" ?disabled=${this.disabled} @click=${() => this.#input()?.click()}>${t.browse}</button>
        ${this.files.length > 0
          ? html`<ul part="files">
              ${repeat(
                this.files,
                (f) => f.id,
                (f) => this.#renderFile(f, t),
              )}
            </ul>`
          : nothing}
        ${this.rejections.length > 0
          ? html`<ul part="rejections">
              ${this.rejections.map((r) => html`<li part="rejection" data-reason=${r.reason}>${r.message}</li>`)}
              <li>
                <button part="dismiss" type="button" @click=${() => (this.rejections = [])}>${t.dismiss}</button>
              </li>
            </ul>`
          : nothing}
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.#announcement}</div>
    `;
  }

  /** `t` comes from `render`: finding the language walks up the tree, once per render rather than per file. */
  #renderFile(view: FileView, t: Translation) {
    const state = view.state;
    const progress = state.kind === 'uploading' || state.kind === 'downloading' ? state : undefined;
    return html`<li part="file" data-state=${state.kind}>
      <span part="file-name" title=${view.name}>${view.name}</span>
      ${progress ? html`<progress part="progress" max=${progress.total} .value=${progress.loaded}></progress>` : nothing}
      <span part="file-state">${describeState(state, t, this.#controller.sync?.storage)}</span>
      ${state.kind === 'failed'
        ? html`<button part="retry" type="button" @click=${() => this.#controller.sync?.retry(view.id)}>${t.retry}</button>`
        : nothing}
      <button part="remove" type="button" @click=${() => this.removeFile(view.id)}>
        ${t.remove}<span class="visually-hidden"> ${view.name}</span>
      </button>
    </li>`;
  }

  #input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input[type=file]');
  }

  #onInputChange = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const files = input.files ? [...input.files] : [];
    input.value = '';
    void this.addFiles(files);
  };

  #onPaste = (event: ClipboardEvent) => {
    const files = event.clipboardData ? [...event.clipboardData.files] : [];
    if (this.disabled || files.length === 0) return;
    event.preventDefault();
    void this.addFiles(files);
  };

  #onDragOver = (event: DragEvent) => {
    if (this.disabled || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  };

  #onDrop = (event: DragEvent) => {
    this.dragging = false;
    if (this.disabled || !event.dataTransfer) return;
    event.preventDefault();
    void this.addFiles(event.dataTransfer.files);
  };

  #reject(file: File, reason: RejectionReason, message: string): void {
    const detail: FileRejectedDetail = { file, reason, message };
    this.rejections = [...this.rejections, detail];
    this.#announce(this.rejections.map((r) => r.message).join('. '));
    this.dispatchEvent(new LsFileRejectedEvent(detail));
  }

  #announce(message: string): void {
    this.#announcement = message;
    this.requestUpdate();
  }

  #watch(sync: FileSync, id: string): void {
    if (this.#watching.has(id)) return;
    this.#watching.set(
      id,
      sync.watchFile(id, (view) => {
        if (view === undefined) return;
        // A sync confirms files in bursts: one new list per burst, not one per file (each a copy of all).
        if (this.#changed.size === 0) {
          queueMicrotask(() => {
            const changed = this.#changed;
            this.#changed = new Map();
            this.files = this.files.map((f) => changed.get(f.id) ?? f);
          });
        }
        this.#changed.set(id, view);
      }),
    );
  }

  #unwatchAll(): void {
    for (const stop of this.#watching.values()) stop();
    this.#watching.clear();
  }

  #syncForm(): void {
    const ids = this.value;
    const data = new FormData();
    if (this.name) for (const id of ids) data.append(this.name, id);
    const state = new FormData();
    for (const id of ids) state.append('id', id);
    this.#internals.setFormValue(ids.length > 0 ? data : null, state);
    // The picker button, not the hidden input, is where the browser points at a missing file.
    const anchor = this.renderRoot.querySelector<HTMLElement>('[part=button]') ?? undefined;
    if (this.required && ids.length === 0) {
      this.#internals.setValidity({ valueMissing: true }, translationFor(this).valueMissing, anchor);
    } else {
      this.#internals.setValidity({});
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-file-upload': LsFileUpload;
  }
}
