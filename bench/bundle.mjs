// The bundle case of `npm run bench` (bench/run.mjs): the kit's own code (dependencies external) a page loads up
// front, the parts it loads only on demand (languages, the in-page download) apart, and all the JavaScript a
// page of the kit loads (from dist/, built before).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The entries of the bundle case and the page weight case for the results table. */
export async function measureBundle(root) {
  const own = await build({
    entryPoints: [path.join(root, 'src/index.ts')],
    bundle: true, minify: true, write: false, format: 'esm', packages: 'external', target: 'es2022', logLevel: 'silent',
    splitting: true, outdir: path.join(root, '.bench-bundle'), metafile: true, absWorkingDir: root,
  });
  const gzipOf = (file) => gzipSync(own.outputFiles.find((o) => path.relative(root, o.path) === file).contents, { level: 9 }).length;
  const entry = Object.keys(own.metafile.outputs).find((file) => own.metafile.outputs[file].entryPoint === 'src/index.ts');
  // Each file loaded with the entry (its static imports, transitively), and the ones behind an `import()`.
  const upFront = new Set([entry]);
  const onDemand = new Set();
  for (const file of upFront) {
    for (const { path: imported, kind, external } of own.metafile.outputs[file].imports) {
      if (external) continue;
      if (kind === 'dynamic-import') onDemand.add(imported);
      else upFront.add(imported);
    }
  }
  const ownGzip = [...upFront].reduce((sum, file) => sum + gzipOf(file), 0);
  // A chunk is named for the module an `import()` asks for (de.strings, download-job…).
  const nameOf = (file) => path.basename(own.metafile.outputs[file].entryPoint ?? file).replace(/\.[jt]s$/, '');
  const lazy = [...onDemand].filter((file) => !upFront.has(file)).map((file) => `${nameOf(file)} ${round(gzipOf(file) / 1024)}`);
  const dist = path.join(root, 'dist');
  // What a page with the one script tag loads on its main thread before the elements first render
  // (ls-file-sync.js and its static imports), and once a store is open (with the core's entry, core.js, and
  // its static imports: FileSync, LiveStore, Effect; the languages and image code come only when needed).
  const closure = (entries) => {
    const files = new Set(entries);
    for (const file of files) {
      for (const [, imported] of readFileSync(path.join(dist, file), 'utf8').matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) files.add(imported);
    }
    return [...files].reduce((sum, f) => sum + gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
  };
  const pageGzip = closure(['ls-file-sync.js']);
  const openGzip = closure(['ls-file-sync.js', 'core.js']);
  const page = round(pageGzip / 1024);
  return [
    { case: 'bundle', median: round(ownGzip / 1024), min: round(ownGzip / 1024), max: round(ownGzip / 1024), unit: 'KB', baseline: `FilePond 31.8 KB, Uppy core+Dashboard 75 KB; loaded on demand (KB): ${lazy.join(', ')}`, target: 'own code < 25 KB', met: ownGzip / 1024 < 25 },
    { case: 'page weight', median: page, min: page, max: page, unit: 'KB', baseline: `gzip of the JavaScript a page with the one script tag loads on its main thread before the elements first render; once a store is open: ${round(openGzip / 1024)} KB (FilePond 5's whole default bundle 74.4 KB, Uppy's Dashboard 74.9 KB)`, target: '<= 60 KB before first render', met: page <= 60 },
  ];
}
