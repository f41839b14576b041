// Fails when custom-elements.json no longer matches the elements' sources (run `npm run analyze`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The analyzer resolves --outdir against the working directory, so the scratch folder lives inside it.
const out = mkdtempSync(path.join(root, '.cem-'));
try {
  execFileSync(path.join(root, 'node_modules/.bin/cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', path.relative(root, out)], { cwd: root, stdio: 'pipe' });
  const fresh = readFileSync(path.join(out, 'custom-elements.json'), 'utf8');
  let committed = '';
  try {
    committed = readFileSync(path.join(root, 'custom-elements.json'), 'utf8');
  } catch {}
  if (fresh !== committed) {
    if (process.argv.includes('--write')) {
      cpSync(path.join(out, 'custom-elements.json'), path.join(root, 'custom-elements.json'));
      console.log('custom-elements.json updated');
    } else {
      console.error('custom-elements.json is out of date: run `npm run analyze` and commit it.');
      process.exit(1);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
