import type { Translation } from '../shared/localize.js';

const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export default {
  dropHint: 'Dateien hier ablegen oder',
  browse: 'Dateien auswählen',
  valueMissing: 'Bitte eine Datei hinzufügen',
  stateSaving: 'Wird auf diesem Gerät gespeichert…',
  stateLocal: 'Auf diesem Gerät gespeichert',
  stateInMemory: 'Nur in diesem Fenster, bis hochgeladen',
  stateUploading: (p) => `Wird hochgeladen: ${p} %`,
  stateSynced: 'Synchronisiert',
  statePendingRemote: 'Wartet auf das andere Gerät',
  stateRemote: 'In der Cloud',
  stateDownloading: (p) => `Wird heruntergeladen: ${p} %`,
  stateRetrying: 'Neuer Versuch folgt',
  stateFailed: (reason) => `Fehlgeschlagen: ${reason}`,
  dismiss: 'Ausblenden',
  retry: 'Erneut versuchen',
  remove: 'Entfernen',
  undo: 'Rückgängig',
  deleted: (name) => `${name} gelöscht`,
  download: 'Herunterladen',
  statusSynced: 'Alle Dateien synchronisiert',
  statusSyncing: (up, down) =>
    [up > 0 ? `${up} hoch` : '', down > 0 ? `${down} herunter` : ''].filter(Boolean).join(', ') + ' wird übertragen',
  statusOffline: (waiting) => (waiting > 0 ? `Offline: ${n(waiting, 'Datei wartet', 'Dateien warten')}` : 'Offline'),
  statusError: (failed) => `${n(failed, 'Datei', 'Dateien')} fehlgeschlagen`,
  statusConnecting: 'Verbinde…',
  statusChecking: 'Abgleich mit dem Server…',
  statusCatchingUp: 'Änderungen vom Server werden nachgeholt…',
  statusStalled: 'Die Synchronisierung auf diesem Gerät ist angehalten. Laden Sie die Seite neu, um fortzufahren; Ihre Dateien bleiben erhalten.',
  storageMemory: 'In diesem Fenster werden Dateien nicht auf dem Gerät gespeichert: Lassen Sie es offen, bis sie hochgeladen sind',
  statusRecords: (notOnServer, notHere) =>
    [notOnServer > 0 ? `${n(notOnServer, 'Datei', 'Dateien')} noch nicht auf dem Server` : '', notHere > 0 ? `${n(notHere, 'Datei kommt', 'Dateien kommen')} noch` : '']
      .filter(Boolean)
      .join(', '),
  retryAll: 'Alle erneut versuchen',
  backendReachable: 'Verbunden',
  backendUnreachable: 'Der Server antwortet nicht',
  noNetwork: 'Kein Netzwerk',
  emptyGallery: 'Noch keine Dateien',
  rejectedType: (name) => `${name} hat keinen erlaubten Dateityp`,
  rejectedMultiple: 'Nur eine Datei ist erlaubt',
  rejectedSize: (name, max) => `${name} ist größer als ${max}`,
  rejectedCount: (max) => `Höchstens ${n(max, 'Datei', 'Dateien')}`,
  saveFailed: (name, reason) => `${name} konnte nicht gespeichert werden: ${reason}`,
  imageUnavailable: 'Bild nicht verfügbar',
  added: (name) => `${name} hinzugefügt`,
} satisfies Partial<Translation>;
