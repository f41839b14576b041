/**
 * LiveStore's leader worker for the kit's schema. It reads the sync endpoint from its own URL
 * (`?sync=wss://...`), set by the page that starts it, so one built file serves every backend.
 */
import { makeWorker } from '@livestore/adapter-web/worker';
import { makeWsSync } from '@livestore/sync-cf/client';
import { fileSyncSchema } from './schema.js';

const syncUrl = new URL(self.location.href).searchParams.get('sync');

makeWorker({
  schema: fileSyncSchema,
  ...(syncUrl ? { sync: { backend: makeWsSync({ url: syncUrl }) } } : {}),
});
