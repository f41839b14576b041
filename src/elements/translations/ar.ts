// Arabic, registered as soon as this module loads (for pages that import the elements one by one); the whole
// kit loads ar.strings.ts on demand instead.
import { registerTranslation } from '../shared/localize.js';
import strings from './ar.strings.js';

registerTranslation('ar', strings);
