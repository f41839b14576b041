import { LsFileImage } from './file-image.js';

if (!customElements.get('ls-file-image')) customElements.define('ls-file-image', LsFileImage);

export { LsFileImage };
