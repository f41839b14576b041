import { LsFileUpload } from './file-upload.js';

if (!customElements.get('ls-file-upload')) customElements.define('ls-file-upload', LsFileUpload);

export { LsFileUpload };
