import { defineConfig } from 'vite';

export default defineConfig({
  // LiveStore's SQLite finds its wasm next to its own module: pre-bundling would move the module away.
  optimizeDeps: { exclude: ['@livestore/wa-sqlite'] },
  server: { host: '127.0.0.1' },
});
