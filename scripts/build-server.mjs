// Builds the backend's exported pieces for use outside wrangler: dist/server/index.js (to mount in a
// worker of one's own), dist/server/tokens.js (to mint tokens in an app server on Node) and
// dist/server/schema.js (the LiveStore schema, for Node clients such as a server-side importer).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/server/index.ts', tokens: 'src/server/tokens.ts', schema: 'src/core/schema.ts' },
  outdir: 'dist/server',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
