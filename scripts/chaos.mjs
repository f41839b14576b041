// `npm run chaos`: the long chaos run (test/chaos/run-chaos.mjs). CHAOS_FILES, CHAOS_MAX_MB, CHAOS_LARGE,
// CHAOS_RATE, CHAOS_RELOADS, CHAOS_RESTART and CHAOS_BOTH_WRITE (1 or 0) and CHAOS_SEED change it. Prints the figures and writes them to
// docs/reliability-latest.json; exits non-zero when anything was lost, duplicated, corrupted or stuck, or a profile said "synced" too early.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChaos } from '../test/chaos/run-chaos.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

const options = {
  files: env('CHAOS_FILES', 300),
  maxSize: env('CHAOS_MAX_MB', 20) * 1024 * 1024,
  large: env('CHAOS_LARGE', 3),
  faultRate: env('CHAOS_RATE', 0.25),
  reloads: env('CHAOS_RELOADS', 3),
  restart: env('CHAOS_RESTART', 1) === 1,
  bothWrite: env('CHAOS_BOTH_WRITE', 1) === 1,
  ...(process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : {}),
};
console.log(`Chaos run: ${options.files} files up to ${options.maxSize / 1024 / 1024} MiB plus ${options.large} over the multipart threshold, fault rate ${options.faultRate}`);
const result = await runChaos(options);
console.log(JSON.stringify(result, null, 2));
const command = `${Object.keys(process.env).filter((k) => k.startsWith('CHAOS_')).map((k) => `${k}=${process.env[k]} `).join('')}npm run chaos`;
writeFileSync(path.resolve(root, process.env.CHAOS_OUT ?? 'docs/reliability-latest.json'), JSON.stringify({ command, date: new Date().toISOString(), options, result }, null, 2) + '\n');
process.exit(result.lost + result.duplicated + result.corrupted + result.stuckFailed + result.unsettled + result.falseSynced === 0 ? 0 : 1);
