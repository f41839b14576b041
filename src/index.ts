/**
 * The whole kit: every element registered, and the part of the core the elements use. `FileSync` and the
 * schema come from the core's own entry (`core.js`), which loads LiveStore: this one does not, so a page
 * draws the elements before the store's code arrives.
 */
export * from './elements/index.js';
export * from './core/for-elements.js';
