// Generates custom-elements.json from the elements' JSDoc (@summary, @slot, @event, @csspart, @cssproperty).
export default {
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/elements/**/*.styles.ts', 'src/elements/shared/**'],
  litelement: true,
  // Leave package.json alone: its customElements field names the committed manifest.
  packagejson: false,
};
