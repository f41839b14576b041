// usage: node bench/heap-summary.mjs <file.heapprofile> [top=25]
// Sums a sampled allocation profile (from BENCH_HEAP) by function: bytes allocated by the function itself
// and by it and what it called, the largest first. The profile counts what was collected too, so it shows
// where the garbage behind the collector's pauses comes from, not what stays.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/heap-summary.mjs <file.heapprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const { head } = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const inclusive = new Map();
const label = ({ callFrame: f }) => `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() || '(native)'}:${f.lineNumber + 1}`;

/** Adds up a node's subtree; a function counts once on a path even when it recurses. */
function walk(node, onPath) {
  const key = label(node);
  self.set(key, (self.get(key) ?? 0) + node.selfSize);
  const path = onPath.has(key) ? onPath : new Set(onPath).add(key);
  const total = node.selfSize + node.children.reduce((sum, child) => sum + walk(child, path), 0);
  if (!onPath.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + total);
  return total;
}

const all = walk(head, new Set());
const mb = (bytes) => `${(bytes / 1048576).toFixed(1).padStart(8)} MB`;
const list = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mb(bytes)}  ${key}`);
};
console.log(`${file}: ${mb(all).trim()} allocated (sampled)`);
list('allocated by the function itself', self);
list('allocated by it and what it called', inclusive);
