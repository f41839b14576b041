// `npm test`: type checks, the custom elements manifest check, the build, the browser tests (Chromium, then
// Firefox, against the real worker under workerd), the end-to-end tests (browser profiles against the built demo) and the
// Storybook smoke test.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
// Node 20's test runner takes no globs, and would run every .mjs under a test/ folder: name the test files.
const testFiles = (dir) => readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.test.mjs')).map((f) => path.join(dir, f));

const steps = [
  ['type check (page, elements, tests)', bin('tsc'), ['-p', 'tsconfig.json']],
  ['type check (service worker)', bin('tsc'), ['-p', 'src/core/workers/tsconfig.sw.json']],
  ['type check (worker)', bin('tsc'), ['-p', 'src/server/tsconfig.json']],
  ['custom-elements.json is up to date', process.execPath, ['scripts/check-manifest.mjs']],
  ['layers and import cycles', process.execPath, ['scripts/check-imports.mjs']],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['package (exports, types, one element per import)', process.execPath, ['--test', '--test-reporter=spec', ...testFiles('test/package')]],
  ['worker tests (file API and LiveStore sync under workerd)', process.execPath, ['--test', '--test-reporter=spec', ...testFiles('test/server')]],
  ['LiveStore with two writers at once (the patched client and sync server)', process.execPath, ['--test', '--test-reporter=spec', ...testFiles('test/livestore')]],
  ['browser tests (Chromium, Firefox, then WebKit)', bin('wtr'), []],
  ['end-to-end tests', process.execPath, ['--test', '--test-reporter=spec', ...testFiles('test/e2e')]],
  ['build Storybook', process.execPath, ['scripts/storybook.mjs', 'build']],
  ['Storybook smoke test (every story in Chromium)', process.execPath, ['--test', '--test-reporter=spec', ...testFiles('test/stories')]],
];

for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(root, 'scripts/loopback-only.cjs')}`.trim() },
  });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
console.log('\nAll checks passed.');
