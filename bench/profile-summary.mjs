// usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25] [--long] [--stretches]
// Sums a CPU profile (from BENCH_PROFILE) by function: self time and inclusive time, the largest first.
// --long: only the samples of busy stretches over 50 ms (what long tasks are made of; a stretch ends at
// an idle sample, so it approximates a task). --stretches: also each of the ten longest stretches, with the
// functions that took most of it (inclusive, those under 90% of the stretch: the branches, not the trunk).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const longOnly = args.includes('--long') || args.includes('--stretches');
const listStretches = args.includes('--stretches');
const [file, topArg] = args.filter((a) => !a.startsWith('--'));
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
const stretches = [];
if (longOnly) {
  let start = 0;
  let busy = 0;
  const close = (end) => {
    if (busy <= 50) return;
    for (let k = start; k < end; k++) kept[k] = true;
    stretches.push({ start, end, ms: busy });
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

if (listStretches) {
  const at = (i) => timeDeltas.slice(0, i + 1).reduce((a, b) => a + b, 0) / 1e6;
  console.log('\nlongest stretches');
  for (const stretch of [...stretches].sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    const own = new Map();
    for (let i = stretch.start; i < stretch.end; i++) {
      const seen = new Set();
      for (let id = samples[i]; id !== undefined; id = parentOf.get(id)) {
        const name = label(byId.get(id));
        if (seen.has(name)) continue;
        seen.add(name);
        own.set(name, (own.get(name) ?? 0) + duration(i));
      }
    }
    const branches = [...own].filter(([, ms]) => ms < 0.9 * stretch.ms).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`  ${stretch.ms.toFixed(0).padStart(5)} ms at ${at(stretch.start).toFixed(1)} s: ${branches.map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')}`);
  }
}
