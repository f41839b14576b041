/** Registers every element of the kit. Import one element's `define.js` instead to load only that one. */
export { LsFileSync } from './file-sync/define.js';
export { LsFileUpload } from './file-upload/define.js';
export { LsFileImage } from './file-image/define.js';
export type { ImageStatus } from './file-image/file-image.js';
export { LsSyncStatus } from './sync-status/define.js';
export { LsFileGallery } from './file-gallery/define.js';
export { registerTranslation, registerTranslationLoader, type Translation } from './shared/localize.js';
export { configure, type PageConfig } from './shared/page-default.js';
export {
  LsErrorEvent,
  LsFileAddedEvent,
  LsFileDeletedEvent,
  LsFileRejectedEvent,
  LsLoadEvent,
  LsReadyEvent,
  LsSyncErrorEvent,
  type FileAddedDetail,
  type FileRejectedDetail,
  type RejectionReason,
} from './events/events.js';
import { registerTranslationLoader } from './shared/localize.js';

// The languages that ship with the kit load when an element first needs one: a page in English loads neither.
registerTranslationLoader('de', () => import('./translations/de.strings.js').then((m) => m.default));
registerTranslationLoader('ar', () => import('./translations/ar.strings.js').then((m) => m.default));
