// German, registered as soon as this module loads (for pages that import the elements one by one); the whole
// kit loads de.strings.ts on demand instead.
import { registerTranslation } from '../shared/localize.js';
import strings from './de.strings.js';

registerTranslation('de', strings);
