// Builds the kit for the browser: one module to load with a script tag, plus LiveStore's leader and shared
// workers and the service worker, all flat in dist/ so each finds the others next to itself.
import { defineConfig, type Plugin } from 'vite';

/**
 * LiveStore's shared-worker module starts the worker when it is evaluated, yet its package declares
 * `sideEffects: false`, so a bundler drops a bare import of it. Keep that one module's side effects.
 */
function keepSharedWorkerSideEffects(): Plugin {
  return {
    name: 'keep-livestore-shared-worker',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source !== '@livestore/adapter-web/shared-worker') return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && { ...resolved, moduleSideEffects: true };
    },
  };
}

const SIDE_EFFECTS = /\/src\/elements\/(?:[a-z-]+\/define|translations\/[a-z]+)\.ts$/;

export default defineConfig({
  // Relative asset URLs: the kit must work wherever a site serves it from.
  base: './',
  publicDir: false,
  plugins: [keepSharedWorkerSideEffects()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      // The whole kit in one file, and each element on its own (an app imports only what it uses). The
      // registrations must survive `sideEffects` in package.json, which applies to these sources too: it
      // names the define modules *and* the barrels re-exporting them (without the barrels, rolldown binds
      // the re-exports to the classes and drops the registrations; test/package checks this).
      input: {
        'ls-file-sync': 'src/index.ts',
        'file-sync': 'src/elements/file-sync/define.ts',
        'file-upload': 'src/elements/file-upload/define.ts',
        'file-image': 'src/elements/file-image/define.ts',
        'file-gallery': 'src/elements/file-gallery/define.ts',
        'sync-status': 'src/elements/sync-status/define.ts',
        'translation-de': 'src/elements/translations/de.ts',
        'translation-ar': 'src/elements/translations/ar.ts',
        core: 'src/core/index.ts',
        schema: 'src/core/store/schema.ts',
        'leader-worker': 'src/core/workers/leader-worker.ts',
        'shared-worker': 'src/core/workers/shared-worker.ts',
        'service-worker': 'src/core/workers/service-worker.ts',
        'download-worker': 'src/core/workers/download-worker.ts',
      },
      preserveEntrySignatures: 'exports-only',
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        // Chunks that register elements or translations are named so `sideEffects` in package.json can keep
        // them; every other chunk is free of side effects and may be dropped by an app's bundler.
        chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => SIDE_EFFECTS.test(id)) ? 'element-[hash].js' : 'chunk-[hash].js'),
        assetFileNames: '[name]-[hash][extname]',
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@livestore/wa-sqlite'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
