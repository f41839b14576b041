// Fails when custom-elements.json no longer matches the elements' sources (run `npm run analyze`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The analyzer resolves --outdir against the working directory, so the scratch folder lives inside it.
const out = mkdtempSync(path.join(root, '.cem-'));
try {
  execFileSync(path.join(root, 'node_modules/.bin/cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', path.relative(root, out)], { cwd: root, stdio: 'pipe' });
  // The analyzer lists modules in the order its file glob finds them, which differs between checkouts (the
  // translations came out in another place on a fresh clone): modules are sorted by path, here and on disk.
  const manifest = JSON.parse(readFileSync(path.join(out, 'custom-elements.json'), 'utf8'));
  manifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const fresh = `${JSON.stringify(manifest, null, 2)}\n`;
  let committed = '';
  try {
    committed = readFileSync(path.join(root, 'custom-elements.json'), 'utf8');
  } catch {}
  if (fresh !== committed) {
    if (process.argv.includes('--write')) {
      writeFileSync(path.join(root, 'custom-elements.json'), fresh);
      console.log('custom-elements.json updated');
    } else {
      console.error('custom-elements.json is out of date: run `npm run analyze` and commit it.');
      // exitCode, not exit(): the scratch folder is removed below.
      process.exitCode = 1;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
