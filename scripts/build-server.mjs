// Builds the backend's exported pieces for use outside wrangler: dist/server/index.js (to mount in a
// worker of one's own), dist/server/tokens.js (to mint tokens in an app server on Node) and
// dist/server/schema.js (the LiveStore schema, for Node clients such as a server-side importer) and
// dist/server/token-socket.js (`offerToken`, with which such a client sends its token).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Leaves every bare import external (as `packages: 'external'` does) except those of `bundled` packages. */
function externalBut(bundled) {
  const inBundled = (spec) => bundled.some((name) => spec === name || spec.startsWith(`${name}/`));
  return {
    name: 'external-but',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (inBundled(args.path)) return undefined;
        // A module of a bundled package imports its own files relatively; anything bare stays external.
        return { path: args.path, external: true };
      });
    },
  };
}

await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/server/index.ts', tokens: 'src/server/tokens.ts', schema: 'src/core/store/schema.ts', 'token-socket': 'src/core/store/token-socket.ts' },
  outdir: 'dist/server',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // Packages stay the user's own, but for the two whose server code the project patches (patches/): a
  // worker that mounts these pieces then runs the fixed sync Durable Object whatever its node_modules hold.
  plugins: [externalBut(['@livestore/sync-cf', '@livestore/common-cf'])],
  splitting: true,
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
