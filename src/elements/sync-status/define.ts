import { LsSyncStatus } from './sync-status.js';

if (!customElements.get('ls-sync-status')) customElements.define('ls-sync-status', LsSyncStatus);

export { LsSyncStatus };
