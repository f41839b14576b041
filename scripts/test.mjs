// `npm test`: type checks, the custom elements manifest check, the build, the browser tests (Chromium,
// real worker under workerd) and the end-to-end test (two browser profiles against the built demo).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);

const steps = [
  ['type check (page, elements, tests)', bin('tsc'), ['-p', 'tsconfig.json']],
  ['type check (service worker)', bin('tsc'), ['-p', 'src/core/tsconfig.sw.json']],
  ['type check (worker)', bin('tsc'), ['-p', 'src/server/tsconfig.json']],
  ['custom-elements.json is up to date', process.execPath, ['scripts/check-manifest.mjs']],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['worker tests (file API under workerd)', process.execPath, ['--test', '--test-reporter=spec', 'test/server/']],
  ['browser tests', bin('wtr'), []],
  ['end-to-end tests', process.execPath, ['--test', '--test-reporter=spec', 'test/e2e/']],
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
