import { LsFileSync } from './file-sync.js';

if (!customElements.get('ls-file-sync')) customElements.define('ls-file-sync', LsFileSync);

export { LsFileSync };
