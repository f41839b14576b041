/**
 * Every user-facing string of the elements, by key, so a translation replaces them all in one place.
 * English is built in; `registerTranslation()` adds a language, picked from the element's closest `lang`.
 */
export interface Translation {
  readonly dropHint: string;
  readonly browse: string;
  readonly valueMissing: string;
  readonly stateLocal: string;
  readonly stateUploading: (percent: number) => string;
  readonly stateSynced: string;
  readonly statePendingRemote: string;
  readonly stateRemote: string;
  readonly stateDownloading: (percent: number) => string;
  readonly stateRetrying: string;
  readonly stateFailed: (reason: string) => string;
  readonly retry: string;
  readonly remove: string;
  readonly delete: (name: string) => string;
  readonly statusSynced: string;
  readonly statusSyncing: (uploads: number, downloads: number) => string;
  readonly statusOffline: (waiting: number) => string;
  readonly statusError: (failed: number) => string;
  readonly statusConnecting: string;
  readonly retryAll: string;
  readonly emptyGallery: string;
  readonly rejectedType: (name: string) => string;
  readonly rejectedMultiple: string;
  readonly saveFailed: (name: string, reason: string) => string;
  readonly imageUnavailable: string;
  readonly added: (name: string) => string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const en: Translation = {
  dropHint: 'Drop files here or',
  browse: 'choose files',
  valueMissing: 'Add a file',
  stateLocal: 'Saved on this device',
  stateUploading: (p) => `Uploading ${p}%`,
  stateSynced: 'Synced',
  statePendingRemote: 'Waiting for the other device',
  stateRemote: 'In the cloud',
  stateDownloading: (p) => `Downloading ${p}%`,
  stateRetrying: 'Waiting to retry',
  stateFailed: (reason) => `Failed: ${reason}`,
  retry: 'Retry',
  remove: 'Remove',
  delete: (name) => `Delete ${name}`,
  statusSynced: 'All files synced',
  statusSyncing: (up, down) =>
    [up > 0 ? `${plural(up, 'upload', 'uploads')}` : '', down > 0 ? `${plural(down, 'download', 'downloads')}` : '']
      .filter(Boolean)
      .join(', ') + ' in progress',
  statusOffline: (waiting) => (waiting > 0 ? `Offline: ${plural(waiting, 'file', 'files')} waiting` : 'Offline'),
  statusError: (failed) => `${plural(failed, 'file', 'files')} failed`,
  statusConnecting: 'Connecting…',
  retryAll: 'Retry all',
  emptyGallery: 'No files yet',
  rejectedType: (name) => `${name} is not an accepted type`,
  rejectedMultiple: 'Only one file can be added',
  saveFailed: (name, reason) => `${name} could not be saved: ${reason}`,
  imageUnavailable: 'Image unavailable',
  added: (name) => `${name} added`,
};

const translations = new Map<string, Translation>([['en', en]]);

export function registerTranslation(lang: string, translation: Partial<Translation>): void {
  translations.set(lang.toLowerCase(), { ...en, ...translation });
}

/** The translation for the closest `lang` above `element` (then the document's), falling back to English. */
export function translationFor(element: Element): Translation {
  const lang = (element.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang ?? 'en').toLowerCase();
  return translations.get(lang) ?? translations.get(lang.split('-')[0] ?? 'en') ?? en;
}
