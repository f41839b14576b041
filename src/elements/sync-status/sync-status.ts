import { css, html, nothing } from 'lit';
import type { SyncStatus, SyncSummary } from '../../core/for-elements.js';
import { FileSyncController } from '../shared/file-sync-controller.js';
import { formatBytes, translationFor } from '../shared/localize.js';
import { LocalizedElement } from '../shared/localized-element.js';
import { focusRing } from '../shared/styles.js';

/**
 * @summary Tells whether this device's files are synced, syncing, offline or in error, and how many wait.
 *
 * @csspart base - The whole status line.
 * @csspart indicator - The coloured dot.
 * @csspart label - The status text.
 * @csspart retry - The "retry all" button shown on errors.
 * @csspart progress - The bytes progress bar (detailed variant, while transferring).
 * @csspart details - The connection line (detailed variant).
 * @csspart storage-note - Says that files are not kept on this device, where the browser keeps none for the page (a private window).
 *
 * @cssproperty --ls-status-synced - Colour of the dot when synced.
 * @cssproperty --ls-status-syncing - Colour of the dot while syncing.
 * @cssproperty --ls-status-offline - Colour of the dot when offline.
 * @cssproperty --ls-status-error - Colour of the dot on errors.
 */
export class LsSyncStatus extends LocalizedElement {
  static override properties = {
    status: { reflect: true },
    pendingUploads: { type: Number, attribute: 'pending-uploads', reflect: true },
    pendingDownloads: { type: Number, attribute: 'pending-downloads', reflect: true },
    variant: { reflect: true },
    summary: { state: true, attribute: false },
  };

  static override styles = [
    focusRing,
    css`
    :host {
      display: inline-block;
      --ls-status-synced: #16a34a;
      --ls-status-syncing: light-dark(#2563eb, #60a5fa);
      --ls-status-offline: light-dark(#9ca3af, #6b7280);
      --ls-status-error: #dc2626;
    }
    [part='base'] {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em;
    }
    [part='storage-note'] {
      flex-basis: 100%;
      font-size: 0.875em;
    }
    [part='indicator'] {
      width: 0.625em;
      height: 0.625em;
      border-radius: 50%;
      background: var(--ls-status-offline);
    }
    :host([status='synced']) [part='indicator'] {
      background: var(--ls-status-synced);
    }
    :host([status='syncing']) [part='indicator'] {
      background: var(--ls-status-syncing);
    }
    :host([status='error']) [part='indicator'] {
      background: var(--ls-status-error);
    }
  `,
  ];

  /** `synced`, `syncing`, `offline` or `error`. Read-only; reflected for styling and tests. */
  declare status: SyncStatus;
  /** Files waiting to upload or uploading. Read-only. */
  declare pendingUploads: number;
  /** Files waiting to download or downloading. Read-only. */
  declare pendingDownloads: number;
  /** `compact` (default): a dot and one line. `detailed`: also the bytes in flight and the connection. */
  declare variant: 'compact' | 'detailed';
  /** @internal */
  declare summary: SyncSummary | undefined;

  constructor() {
    super();
    this.status = 'offline';
    this.pendingUploads = 0;
    this.pendingDownloads = 0;
    this.variant = 'compact';
  }

  readonly #controller = new FileSyncController(this, (sync) =>
    sync.summary.subscribe((summary) => {
      this.summary = summary;
      this.status = summary.status;
      this.pendingUploads = summary.pendingUploads;
      this.pendingDownloads = summary.pendingDownloads;
    }),
  );

  protected override render() {
    const t = translationFor(this);
    const s = this.summary;
    const label = !s
      ? t.statusConnecting
      : s.status === 'error'
        ? s.failed > 0
          ? t.statusError(s.failed)
          : t.statusStalled
        : s.status === 'offline'
          ? t.statusOffline(s.pendingUploads + s.pendingDownloads)
          : s.status === 'syncing'
            ? s.pendingUploads + s.pendingDownloads > 0
              ? t.statusSyncing(s.pendingUploads, s.pendingDownloads)
              : s.missingUpstream + s.missingHere > 0
                ? t.statusRecords(s.missingUpstream, s.missingHere)
                : s.upstream === 'behind'
                  ? t.statusCatchingUp
                  : t.statusChecking
            : t.statusSynced;
    return html`<span part="base">
      <span part="indicator" aria-hidden="true"></span>
      <span part="label" role="status" aria-live="polite">${label}</span>
      ${s?.status === 'error' && s.failed > 0
        ? html`<button part="retry" type="button" @click=${() => this.#controller.sync?.retry()}>${t.retryAll}</button>`
        : nothing}
      ${this.variant === 'detailed' && s ? this.#details(s) : nothing}
      ${this.#controller.sync?.storage === 'memory' ? html`<span part="storage-note">${t.storageMemory}</span>` : nothing}
    </span>`;
  }

  #details(s: SyncSummary) {
    const t = translationFor(this);
    return html`${s.bytesTotal > 0
        ? html`<progress part="progress" max=${s.bytesTotal} .value=${s.bytesLoaded}
            aria-label=${`${formatBytes(s.bytesLoaded, this)} / ${formatBytes(s.bytesTotal, this)}`}></progress>`
        : nothing}
      <span part="details">${s.online ? (s.backendReachable ? t.backendReachable : t.backendUnreachable) : t.noNetwork}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-sync-status': LsSyncStatus;
  }
}
