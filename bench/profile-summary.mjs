// usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25] [--long]
// Sums a CPU profile (from BENCH_PROFILE) by function: self time and inclusive time, the largest first.
// --long: only the samples of busy stretches over 50 ms (what long tasks are made of; a stretch ends at
// an idle sample, so it approximates a task).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const longOnly = args.includes('--long');
const [file, topArg] = args.filter((a) => a !== '--long');
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const label = ({ callFrame: f }) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
// Sample i lasts until the next one: its duration is the next delta.
const duration = (i) => (timeDeltas[i + 1] ?? 0) / 1000;
const isIdle = (id) => byId.get(id).callFrame.functionName === '(idle)';
let kept = samples.map(() => !longOnly);
if (longOnly) {
  let start = 0;
  let busy = 0;
  const close = (end) => {
    if (busy > 50) for (let k = start; k < end; k++) kept[k] = true;
  };
  for (const [i, id] of samples.entries()) {
    if (isIdle(id)) {
      close(i);
      start = i + 1;
      busy = 0;
    } else busy += duration(i);
  }
  close(samples.length);
}
const self = new Map();
const inclusive = new Map();
let total = 0;
for (const [i, id] of samples.entries()) {
  if (!kept[i]) continue;
  const ms = duration(i);
  total += ms;
  const node = byId.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + ms);
  // Each function once per sample, however deep it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const name = label(byId.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
  }
}
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`${file}: ${total.toFixed(0)} ms sampled${longOnly ? ' in busy stretches over 50 ms' : ''}`);
print('self time', self);
print('inclusive time', inclusive);
