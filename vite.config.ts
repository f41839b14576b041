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
      input: {
        'ls-file-sync': 'src/index.ts',
        core: 'src/core/index.ts',
        'leader-worker': 'src/core/leader-worker.ts',
        'shared-worker': 'src/core/shared-worker.ts',
        'service-worker': 'src/core/service-worker.ts',
      },
      preserveEntrySignatures: 'exports-only',
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunk-[hash].js',
        assetFileNames: '[name]-[hash][extname]',
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@livestore/wa-sqlite'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
