/**
 * The framework-free file-sync core: its public surface. Runs in a page or a worker; has no Lit and no DOM
 * beyond what workers have. The elements use only the part that loads no LiveStore (for-elements.ts). See
 * docs/architecture.md.
 */
export * from './for-elements.js';
export { FileSync } from './file-sync.js';
export * from './store/schema.js';
