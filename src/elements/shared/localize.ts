/**
 * Every user-facing string of the elements, by key, so a translation replaces them all in one place.
 * English is built in; `registerTranslation()` adds a language, picked from the element's closest `lang`, and
 * `registerTranslationLoader()` one that loads on demand.
 */
import type { ReactiveElement } from 'lit';

export interface Translation {
  readonly dropHint: string;
  readonly browse: string;
  readonly valueMissing: string;
  readonly stateSaving: string;
  readonly stateLocal: string;
  /** A file kept in this tab's memory only (no private file system here), not uploaded yet. */
  readonly stateInMemory: string;
  readonly stateUploading: (percent: number) => string;
  readonly stateSynced: string;
  readonly statePendingRemote: string;
  readonly stateRemote: string;
  readonly stateDownloading: (percent: number) => string;
  readonly stateRetrying: string;
  readonly stateFailed: (reason: string) => string;
  readonly retry: string;
  readonly dismiss: string;
  readonly remove: string;
  readonly statusSynced: string;
  readonly statusSyncing: (uploads: number, downloads: number) => string;
  readonly statusOffline: (waiting: number) => string;
  readonly statusError: (failed: number) => string;
  readonly statusConnecting: string;
  /** Nothing to transfer, and no recent answer of the server confirms this device's records. */
  readonly statusChecking: string;
  /** The records match, but the live connection has not brought the server's latest changes in time. */
  readonly statusCatchingUp: string;
  /** This device's sync has stopped; reopening the page restarts it. */
  readonly statusStalled: string;
  /** Shown while this window keeps files in memory: the browser offers it no storage (a private window). */
  readonly storageMemory: string;
  /** Records the server lacks (`notOnServer`) or this device lacks (`notHere`), by the server's own account. */
  readonly statusRecords: (notOnServer: number, notHere: number) => string;
  readonly retryAll: string;
  readonly backendReachable: string;
  readonly backendUnreachable: string;
  readonly noNetwork: string;
  readonly undo: string;
  readonly deleted: (name: string) => string;
  readonly download: string;
  readonly rejectedSize: (name: string, max: string) => string;
  readonly rejectedCount: (max: number) => string;
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
  stateSaving: 'Saving on this device…',
  stateLocal: 'Saved on this device',
  stateInMemory: 'In this window until uploaded',
  stateUploading: (p) => `Uploading ${p}%`,
  stateSynced: 'Synced',
  statePendingRemote: 'Waiting for the other device',
  stateRemote: 'In the cloud',
  stateDownloading: (p) => `Downloading ${p}%`,
  stateRetrying: 'Waiting to retry',
  stateFailed: (reason) => `Failed: ${reason}`,
  dismiss: 'Dismiss',
  retry: 'Retry',
  remove: 'Remove',
  statusSynced: 'All files synced',
  statusSyncing: (up, down) =>
    [up > 0 ? `${plural(up, 'upload', 'uploads')}` : '', down > 0 ? `${plural(down, 'download', 'downloads')}` : '']
      .filter(Boolean)
      .join(', ') + ' in progress',
  statusOffline: (waiting) => (waiting > 0 ? `Offline: ${plural(waiting, 'file', 'files')} waiting` : 'Offline'),
  statusError: (failed) => `${plural(failed, 'file', 'files')} failed`,
  statusConnecting: 'Connecting…',
  statusChecking: 'Checking with the server…',
  statusCatchingUp: 'Catching up with changes on the server…',
  statusStalled: 'Sync has stopped on this device. Reload the page to resume; your files are kept.',
  storageMemory: "Files aren't kept on this device in this window: keep it open until they are uploaded",
  statusRecords: (notOnServer, notHere) =>
    [notOnServer > 0 ? `${plural(notOnServer, 'file', 'files')} not on the server yet` : '', notHere > 0 ? `${plural(notHere, 'file', 'files')} still to arrive` : '']
      .filter(Boolean)
      .join(', '),
  retryAll: 'Retry all',
  backendReachable: 'Connected',
  backendUnreachable: 'The server does not answer',
  noNetwork: 'No network',
  undo: 'Undo',
  deleted: (name) => `${name} deleted`,
  download: 'Download',
  rejectedSize: (name, max) => `${name} is larger than ${max}`,
  rejectedCount: (max) => `At most ${plural(max, 'file', 'files')} can be added`,
  emptyGallery: 'No files yet',
  rejectedType: (name) => `${name} is not an accepted type`,
  rejectedMultiple: 'Only one file can be added',
  saveFailed: (name, reason) => `${name} could not be saved: ${reason}`,
  imageUnavailable: 'Image unavailable',
  added: (name) => `${name} added`,
};

const translations = new Map<string, Translation>([['en', en]]);
/** Languages that load when an element first needs one (see `registerTranslationLoader`), and their loads. */
const loaders = new Map<string, () => Promise<Partial<Translation>>>();
const loads = new Map<string, Promise<void>>();

export function registerTranslation(lang: string, translation: Partial<Translation>): void {
  translations.set(lang.toLowerCase(), { ...en, ...translation });
}

/**
 * Names a language to load when an element first needs it, e.g. `() => import('./fr.js').then((m) => m.default)`:
 * a page in English loads no other language. An element waits for its language before it first renders (so
 * it never shows English first); a language that fails to load leaves English.
 */
export function registerTranslationLoader(lang: string, load: () => Promise<Partial<Translation>>): void {
  loaders.set(lang.toLowerCase(), load);
}

/** The closest `lang` above `element`, crossing shadow roots, else the document's. */
export function langOf(element: Element): string {
  for (let node: Node | null = element; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) {
    if (node instanceof Element && node.hasAttribute('lang')) return node.getAttribute('lang') ?? '';
  }
  return document.documentElement.lang || 'en';
}

/** The language the kit has or can load for the element (`de-AT` falls back to `de`), else English. */
function languageOf(element: Element): string {
  const lang = langOf(element).toLowerCase();
  const known = (key: string) => translations.has(key) || loaders.has(key);
  return [lang, lang.split('-')[0] ?? ''].find(known) ?? 'en';
}

/** While the element's language is loading, the load; undefined once the language is here (or has no loader). */
export function languageLoading(element: Element): Promise<void> | undefined {
  const lang = languageOf(element);
  const load = translations.has(lang) ? undefined : loaders.get(lang);
  if (!load) return undefined;
  let loading = loads.get(lang);
  if (!loading) {
    loading = load().then(
      (translation) => registerTranslation(lang, translation),
      () => {
        // Not tried again (a module that failed to fetch fails again from the module map): the language is
        // no longer one the kit has, so its elements render in English and stop asking for it.
        if (loaders.get(lang) === load) loaders.delete(lang);
        loads.delete(lang);
      },
    );
    loads.set(lang, loading);
  }
  return loading;
}

/**
 * The translation for the element's language, else English. A language still loading (a `lang` changed
 * after the element first rendered) gives English until it arrives, then the element renders again.
 */
export function translationFor(element: ReactiveElement): Translation {
  const translation = translations.get(languageOf(element));
  if (translation) return translation;
  void languageLoading(element)?.then(() => element.requestUpdate());
  return en;
}

/** A byte count for people, in the element's language: `5 MB`, `1.5 GB`. */
export function formatBytes(bytes: number, element: Element): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(langOf(element), { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}
