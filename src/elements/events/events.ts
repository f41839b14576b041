/**
 * The events the elements fire, one small class each (as Web Awesome's are): typed for listeners, with the
 * same `detail` a CustomEvent would carry. All bubble and cross shadow roots, except `input` and `change`,
 * which the upload control fires as a native file input does.
 */
import type { FileSync, FileView, StorageMode } from '../../core/for-elements.js';

export type RejectionReason = 'type' | 'size' | 'count' | 'multiple' | 'save-failed';

export interface FileAddedDetail {
  readonly fileId: string;
  readonly file: FileView;
}

export interface FileRejectedDetail {
  readonly file: File;
  readonly reason: RejectionReason;
  readonly message: string;
}

const composed = { bubbles: true, composed: true } as const;

/** A file was saved on this device (`<ls-file-upload>`). */
export class LsFileAddedEvent extends Event {
  constructor(readonly detail: FileAddedDetail) {
    super('ls-file-added', composed);
  }
}

/** A file was refused, with the reason in the page's language (`<ls-file-upload>`). */
export class LsFileRejectedEvent extends Event {
  constructor(readonly detail: FileRejectedDetail) {
    super('ls-file-rejected', composed);
  }
}

/** A file was deleted, after its undo period (`<ls-file-gallery>`). */
export class LsFileDeletedEvent extends Event {
  constructor(readonly detail: { readonly fileId: string }) {
    super('ls-file-deleted', composed);
  }
}

/** The image is displayed (`<ls-file-image>`). */
export class LsLoadEvent extends Event {
  constructor() {
    super('ls-load', composed);
  }
}

/** The image cannot be displayed (`<ls-file-image>`). */
export class LsErrorEvent extends Event {
  constructor(readonly detail: { readonly reason: 'decode' }) {
    super('ls-error', composed);
  }
}

/**
 * The store is open on this device; again after it was opened anew (`<ls-file-sync>`). `storage` says where
 * files are kept here: `device`, or `memory` (no private file system in this window: nothing stays after it closes).
 */
export class LsReadyEvent extends Event {
  constructor(readonly detail: { readonly sync: FileSync; readonly storage: StorageMode }) {
    super('ls-ready', composed);
  }
}

/** The store could not be opened, or an attribute is not valid (`<ls-file-sync>`). */
export class LsSyncErrorEvent extends Event {
  constructor(readonly detail: { readonly error: Error }) {
    super('ls-sync-error', composed);
  }
}

declare global {
  interface HTMLElementEventMap {
    'ls-file-added': LsFileAddedEvent;
    'ls-file-rejected': LsFileRejectedEvent;
    'ls-file-deleted': LsFileDeletedEvent;
    'ls-load': LsLoadEvent;
    'ls-error': LsErrorEvent;
    'ls-ready': LsReadyEvent;
    'ls-sync-error': LsSyncErrorEvent;
  }
}
