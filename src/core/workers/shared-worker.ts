/** LiveStore's shared worker, which connects the tabs of one client to their leader. */
import '@livestore/adapter-web/shared-worker';
