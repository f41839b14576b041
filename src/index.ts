/** The whole kit: every element registered, and the core for code that wants it. */
export * from './elements/index.js';
export * from './core/index.js';
