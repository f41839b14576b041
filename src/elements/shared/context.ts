/** How `<ls-file-sync>` hands the core to the elements inside it (through `@lit/context`). */
import { createContext } from '@lit/context';
import type { FileSync } from '../../core/for-elements.js';

export type FileSyncConnection =
  | { readonly kind: 'idle' }
  | { readonly kind: 'opening' }
  | { readonly kind: 'ready'; readonly sync: FileSync }
  | { readonly kind: 'error'; readonly error: Error };

export const fileSyncContext = createContext<FileSyncConnection>(Symbol.for('ls-file-sync'));
