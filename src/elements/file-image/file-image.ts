import { css, html, nothing, type PropertyValues } from 'lit';
import { loadImageScaler, type FileSync, type FileView, type Size } from '../../core/for-elements.js';
import { LsErrorEvent, LsLoadEvent } from '../events/events.js';
import { onDevicePixelRatioChange } from '../shared/device-pixel-ratio.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { describeState } from '../shared/format.js';
import { translationFor } from '../shared/localize.js';
import { LocalizedElement } from '../shared/localized-element.js';
import { watchNearViewport } from '../shared/near-viewport.js';
import { framesDrawn, whenIdle, yieldToMain } from '../shared/yield.js';

export type ImageStatus = 'loading' | 'ready' | 'failed';

/** JPEGs smaller than this are shown as they are: decoding them whole is quick. */
const SCALE_FROM_BYTES = 256 * 1024;

/**
 * @summary Shows an image of the store: from this device at once when it is here, otherwise once downloaded.
 *
 * @event {LsLoadEvent} ls-load - The image is displayed.
 * @event {LsErrorEvent} ls-error - The image cannot be displayed (`detail.reason`).
 *
 * @csspart base - The frame around the image or its placeholder.
 * @csspart image - The `<img>`.
 * @csspart placeholder - What shows while the image is not here yet.
 * @csspart preview - The blurred tiny preview inside the placeholder, when the record has one.
 * @csspart retry - The retry button of an image whose download failed.
 *
 * @cssproperty --ls-image-placeholder - Background of the placeholder.
 * @cssproperty --ls-image-fit - `object-fit` of the image (default `cover`).
 */
export class LsFileImage extends LocalizedElement {
  static override properties = {
    fileId: { attribute: 'file-id', reflect: true },
    alt: {},
    loading: { reflect: true },
    status: { reflect: true },
    view: { state: true, attribute: false },
    src: { state: true, attribute: false },
    intrinsic: { state: true, attribute: false },
  };

  // The record's dimensions reserve the image's box before it loads (`--ls-image-aspect`): nothing shifts
  // when it does. The <img> is hidden (`.loading`) until all of it is here: the browser paints a loading
  // image as its bytes arrive, and each such paint decodes it (70-80 ms for a 6.75-megapixel JPEG here),
  // then decodes it whole once loaded; hidden, it is decoded once. A class on the <img> rather than a
  // rule on the host's `status`: with that, looking through 1,000 images in the gallery bench had more long
  // tasks (bench/README.md). A large JPEG in a small box is shown decoded at the box's size
  // (src/core/scaled-image.ts), laid out at its own size (`intrinsicStyle`), so that where
  // nothing sizes the element it takes the room the whole image would.
  // (Comments inside the css template would ship in the bundle.)
  static override styles = css`
    :host {
      display: inline-block;
      position: relative;
      overflow: hidden;
      aspect-ratio: var(--ls-image-aspect, auto);
      --ls-image-placeholder: var(--ls-color-muted, light-dark(#e5e7eb, #374151));
      --ls-image-fit: cover;
    }
    [part='base'] {
      width: 100%;
      height: 100%;
    }
    [part='image'] {
      display: block;
      width: 100%;
      height: 100%;
      object-fit: var(--ls-image-fit);
    }
    [part='placeholder'] {
      position: relative;
      width: 100%;
      height: 100%;
      min-height: 4rem;
      display: grid;
      place-items: center;
      background: var(--ls-image-placeholder);
      font-size: 0.8em;
      text-align: center;
      overflow: hidden;
    }
    [part='preview'] {
      position: absolute;
      inset: -8%;
      width: 116%;
      height: 116%;
      object-fit: cover;
      filter: blur(12px);
    }
    [part='retry'] {
      position: absolute;
      inset-block-end: 0.5rem;
      inset-inline: 0;
      margin-inline: auto;
      width: max-content;
      font: inherit;
    }
    [part='base'] {
      position: relative;
    }
    [part='placeholder'] span {
      position: relative;
      padding: 0.125em 0.5em;
      border-radius: 1em;
      background: color-mix(in srgb, var(--ls-image-placeholder) 80%, transparent);
    }
    .loading {
      visibility: hidden;
    }
  `;

  /** The id of the file to show. */
  declare fileId: string;
  /** Text alternative of the image; defaults to the file's name. */
  declare alt: string | undefined;
  /**
   * `lazy` (default): read the image once it nears the viewport, and when it is not on this device yet,
   * fetch it first then. `eager`: at once.
   */
  declare loading: 'lazy' | 'eager';
  /** `loading` until the image is displayed, then `ready`; `failed` when it cannot be. Read-only. */
  declare status: ImageStatus;

  /** @internal */
  declare view: FileView | undefined;
  /** @internal */
  declare src: string | undefined;
  /** @internal The image's own size once it was shown scaled: kept while it is decoded again for a larger box. */
  declare intrinsic: Size | undefined;

  constructor() {
    super();
    this.fileId = '';
    this.loading = 'lazy';
    this.status = 'loading';
  }

  #stopWatching: (() => void) | undefined;
  #stopObserving: (() => void) | undefined;
  #nearViewport = false;
  /** `<id>:<hash>` of what is shown or being read (the hash empty while the file is being saved). */
  #loadedFor: string | undefined;
  /** Counts reads of the file: a read that another one or a reset overtook shows nothing. */
  #attempt = 0;
  #resizes: ResizeObserver | undefined;
  #stopFollowingRatio: (() => void) | undefined;
  /** The size the image shown was decoded at, when it was decoded for its box. */
  #decoded: Size | undefined;
  /** Holds the save of a file just dropped until its image is painted (FileSync.holdSaveForDisplay). */
  #saveHold: (() => void) | undefined;
  readonly #controller = new FileSyncController(this, (sync) => this.#watch(sync));

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('fileId') && changed.get('fileId') !== undefined) {
      const sync = this.#controller.sync;
      this.#reset();
      if (sync) this.#watch(sync);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#reset();
  }

  protected override render() {
    const t = translationFor(this);
    const alt = this.alt ?? this.view?.name ?? '';
    if (this.src) {
      return html`<div part="base">
        <img
          part="image"
          class=${this.status === 'ready' ? '' : 'loading'}
          style=${this.intrinsic ? intrinsicStyle(this.intrinsic) : nothing}
          src=${this.src}
          alt=${alt}
          @load=${this.#onLoad}
          @error=${this.#onImgError}
        />
      </div>`;
    }
    const label = this.status === 'failed' ? t.imageUnavailable : this.view ? describeState(this.view.state, t, this.#controller.sync?.storage) : '';
    const preview = this.view?.preview;
    return html`<div part="base">
      <div part="placeholder" role="img" aria-label=${alt || nothing} aria-busy=${this.status === 'loading' ? 'true' : 'false'}>
        ${preview ? html`<img part="preview" src=${preview} alt="" aria-hidden="true" />` : nothing}
        <span>${label}</span>
      </div>
      ${this.status === 'failed' && this.view?.state.kind === 'failed'
        ? html`<button part="retry" type="button" @click=${() => this.#controller.sync?.retry(this.fileId)}>${t.retry}</button>`
        : nothing}
    </div>`;
  }

  #watch(sync: FileSync): () => void {
    if (!this.fileId) return () => {};
    const id = this.fileId;
    const stop = sync.watchFile(id, (view) => {
      this.view = view;
      if (view === undefined) {
        this.#setStatus('failed');
        return;
      }
      if (view.width && view.height) this.style.setProperty('--ls-image-aspect', `${view.width} / ${view.height}`);
      if (view.state.kind === 'failed' && !view.local) this.#setStatus('failed');
      // A hidden page draws nothing: its saves need not wait.
      if (view.state.kind === 'saving' && this.status === 'loading' && !document.hidden) this.#saveHold ??= sync.holdSaveForDisplay(id);
      else this.#releaseSave();
      if (this.loading === 'eager' || this.#nearViewport) this.#fetch(sync, view);
    });
    this.#stopObserving = watchNearViewport(this, (near) => {
      this.#nearViewport = near;
      if (near && this.view) this.#fetch(sync, this.view);
      else if (!near && this.src === undefined) this.#releaseSave();
    });
    this.#stopWatching = () => {
      stop();
      this.#stopObserving?.();
      this.#stopObserving = undefined;
    };
    return () => this.#reset();
  }

  /**
   * Shows the local copy, or asks for the remote one first. Lazy images wait until they near the viewport
   * even when local: reading a file and registering its object URL costs the main thread about a
   * millisecond, which a gallery of a thousand files would otherwise spend on images no one sees.
   */
  #fetch(sync: FileSync, view: FileView): void {
    if (view.local || view.state.kind === 'saving') void this.#showLocal(sync, view);
    else if (view.state.kind === 'remote') sync.requestDownload(view.id);
  }

  async #showLocal(sync: FileSync, view: FileView, grown = false): Promise<void> {
    const key = `${view.id}:${view.hash}`;
    if (this.#loadedFor === key) return;
    // Shown while it was saved, from the bytes it was saved from: its record brings nothing new to show, but
    // a photo shown whole then is decoded at its box's size once the page is idle, as any other (shown whole
    // meanwhile): the machine is busy with the file's upload just then.
    const adopting = this.#loadedFor === `${view.id}:` && view.local;
    this.#loadedFor = key;
    if (adopting) {
      if (scalable(view)) void this.#decodeScaledWhenIdle(sync, key);
      return;
    }
    const attempt = ++this.#attempt;
    // The scaled decode's code loads with the first photo to show, beside its file's read; where it
    // cannot load (offline, never loaded before), the photo is shown as it is. A photo being saved is shown
    // as it is too: beside the save, the scaled decode took 100-170 ms where the browser's own path shows it
    // as fast as a plain <img> (bench/README.md); once saved, it is decoded scaled.
    const scaler = scalable(view) && view.state.kind !== 'saving' ? loadImageScaler().catch(() => undefined) : undefined;
    const file = await sync.getFile(view.id);
    // Wrapping a file and registering its URL each cost a round trip to the browser process: a screen of
    // images at once would make one long task of them, so each image takes its own.
    await yieldToMain();
    if (this.#attempt !== attempt) return;
    if (file === undefined) {
      this.#loadedFor = undefined;
      this.#releaseSave();
      return;
    }
    const scaled = await (await scaler)?.scaledJpeg(file, this.#deviceBox());
    const small = await scaled?.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    if (this.#attempt !== attempt) return;
    this.#revoke();
    this.#decoded = scaled && { width: scaled.canvas.width, height: scaled.canvas.height };
    // Shown again for a grown box, the element keeps the size it took rather than the smaller decode's
    // while the larger one loads.
    this.intrinsic = scaled?.natural ?? (grown ? this.intrinsic : undefined);
    this.src = URL.createObjectURL(small ?? file);
    this.#followSize();
    // Shown: nearing the viewport changes nothing any more, and every element observed costs each frame
    // of a scroll. A new content of the file (replaced elsewhere) is then shown without waiting to be near.
    this.#stopObserving?.();
    this.#stopObserving = undefined;
  }

  async #decodeScaledWhenIdle(sync: FileSync, key: string): Promise<void> {
    await whenIdle(2000);
    if (this.#loadedFor !== key || this.view === undefined) return;
    this.#loadedFor = undefined;
    await this.#showLocal(sync, this.view, true);
  }

  /** The element's box in device pixels: what its image is drawn into. */
  #deviceBox(): Size {
    const { width, height } = this.getBoundingClientRect();
    return { width: width * devicePixelRatio, height: height * devicePixelRatio };
  }

  /** While the image shown was decoded for its box, a box grown past that, or a denser screen, has it decoded again. */
  #followSize(): void {
    if (this.#decoded === undefined) {
      this.#resizes?.disconnect();
      this.#resizes = undefined;
      this.#stopFollowingRatio?.();
      this.#stopFollowingRatio = undefined;
      return;
    }
    this.#resizes ??= new ResizeObserver(this.#decodeAgainIfOutgrown);
    this.#resizes.observe(this);
    this.#stopFollowingRatio ??= onDevicePixelRatioChange(this.#decodeAgainIfOutgrown);
  }

  #decodeAgainIfOutgrown = () => {
    const [decoded, view, sync] = [this.#decoded, this.view, this.#controller.sync];
    if (decoded === undefined || view === undefined || sync === undefined) return;
    const box = this.#deviceBox();
    if (Math.max(box.width, box.height) <= Math.min(decoded.width, decoded.height) + 1) return;
    this.#loadedFor = undefined;
    void this.#showLocal(sync, view, true);
  };

  #onLoad = () => {
    this.#setStatus('ready');
    this.dispatchEvent(new LsLoadEvent());
    // Painted once the second frame from now begins: the save of the file just dropped may start.
    if (this.#saveHold) void framesDrawn(2).then(() => this.#releaseSave());
  };

  #releaseSave(): void {
    this.#saveHold?.();
    this.#saveHold = undefined;
  }

  #onImgError = () => {
    this.#releaseSave();
    // The placeholder says so instead of a broken image (the file itself stays saved).
    this.#revoke();
    this.#setStatus('failed');
    this.dispatchEvent(new LsErrorEvent({ reason: 'decode' }));
  };

  #setStatus(status: ImageStatus): void {
    this.status = status;
  }

  #revoke(): void {
    if (this.src) URL.revokeObjectURL(this.src);
    this.src = undefined;
    this.#decoded = undefined;
  }

  #reset(): void {
    this.#releaseSave();
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    this.#loadedFor = undefined;
    this.#attempt++;
    this.#nearViewport = false;
    this.#revoke();
    this.#followSize();
    this.intrinsic = undefined;
    this.status = 'loading';
  }
}

/** Whether a photo is best decoded at the size it is shown at (src/core/images/scaled-image.ts). */
const scalable = (view: FileView) => view.type === 'image/jpeg' && view.size >= SCALE_FROM_BYTES;

/**
 * Lays an image out at `size` whatever its bytes' own: a size-contained element takes its intrinsic size from
 * `contain-intrinsic-size`, and has no aspect ratio of its own unless given one.
 */
const intrinsicStyle = ({ width, height }: Size) => `contain:size;contain-intrinsic-size:${width}px ${height}px;aspect-ratio:${width}/${height}`;

declare global {
  interface HTMLElementTagNameMap {
    'ls-file-image': LsFileImage;
  }
}
