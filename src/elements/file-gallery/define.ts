import { LsFileGallery } from './file-gallery.js';

if (!customElements.get('ls-file-gallery')) customElements.define('ls-file-gallery', LsFileGallery);

export { LsFileGallery };
