// usage: node bench/trace-summary.mjs <file.trace.json> [top=15]
// Sums up the page's main thread in a timeline trace (from BENCH_TRACE): self time by kind of work (script,
// style, layout, paint, garbage collection...) over the whole trace and within tasks over 50 ms, then the
// longest tasks, each with what it was made of. A CPU profile shows script only; this shows the browser's
// own rendering work next to it. When the trace holds the V8 sampler's profile (BENCH_TRACE records it),
// each long task also lists the functions its samples fell in (inclusive, the branches rather than the trunk).
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/trace-summary.mjs <file.trace.json> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const parsed = JSON.parse(readFileSync(file, 'utf8'));
const all = Array.isArray(parsed) ? parsed : parsed.traceEvents;

// The page's main thread: of the renderer main threads, the busiest (a trace may hold several renderers).
const mains = all.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
const complete = all.filter((e) => e.ph === 'X' && typeof e.dur === 'number');
const tasksOf = (thread) => complete.filter((e) => `${e.pid}:${e.tid}` === thread && e.name === 'RunTask');
const main = mains.sort((a, b) => tasksOf(b).length - tasksOf(a).length)[0];
if (!main) {
  console.error('no renderer main thread in this trace');
  process.exit(1);
}
const events = complete.filter((e) => `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts || b.dur - a.dur);

// Self time of each event (its duration minus its children's), by name, and which task it belongs to.
const selfByName = new Map();
const longSelfByName = new Map();
const tasks = [];
const stack = [];
const add = (map, name, ms) => map.set(name, (map.get(name) ?? 0) + ms);
const settle = (event) => {
  const self = (event.dur - event.childDur) / 1000;
  add(selfByName, event.name, self);
  if (event.task && event.task.dur > 50_000) add(longSelfByName, event.name, self);
  if (event.task) add(event.task.parts, event.name, self);
};
for (const event of events) {
  while (stack.length > 0 && stack.at(-1).ts + stack.at(-1).dur <= event.ts) settle(stack.pop());
  const parent = stack.at(-1);
  const node = { name: event.name, ts: event.ts, dur: event.dur, childDur: 0, task: parent?.task };
  if (parent) parent.childDur += Math.min(event.dur, parent.ts + parent.dur - event.ts);
  if (event.name === 'RunTask' && !parent) {
    node.parts = new Map();
    node.task = node;
    tasks.push(node);
  }
  stack.push(node);
}
while (stack.length > 0) settle(stack.pop());

const span = (events.at(-1).ts + events.at(-1).dur - events[0].ts) / 1000;
const long = tasks.filter((t) => t.dur > 50_000);
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(0).padStart(8)} ms  ${name}`);
};
console.log(`${file}: ${(span / 1000).toFixed(1)} s of the page's main thread, ${tasks.length} tasks, ${long.length} over 50 ms (longest ${(Math.max(0, ...tasks.map((t) => t.dur)) / 1000).toFixed(0)} ms)`);
print('self time by kind of work', selfByName);
print('self time within tasks over 50 ms', longSelfByName);
// The sampler's profile of the main thread: nodes (by id, with parents) and samples with their times.
const [mainPid, mainTid] = main.split(':').map(Number);
const nodes = new Map();
const samples = [];
// The chunks come from a sampler thread of their own, tied to the sampled thread's Profile event by id.
const profile = all.find((e) => e.name === 'Profile' && e.pid === mainPid && e.tid === mainTid);
let sampleTime = profile?.args.data.startTime ?? 0;
for (const event of all) {
  if (event.name !== 'ProfileChunk' || event.pid !== mainPid || event.id !== profile?.id) continue;
  const data = event.args.data;
  for (const node of data.cpuProfile?.nodes ?? []) nodes.set(node.id, node);
  for (const [i, id] of (data.cpuProfile?.samples ?? []).entries()) {
    sampleTime += data.timeDeltas[i];
    samples.push({ id, ts: sampleTime });
  }
}
const frameName = (node) => {
  const f = node.callFrame;
  return `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`;
};
const functionsIn = (task) => {
  const within = samples.filter((sample) => sample.ts >= task.ts && sample.ts < task.ts + task.dur);
  const counts = new Map();
  for (const sample of within) {
    const seen = new Set();
    for (let node = nodes.get(sample.id); node; node = nodes.get(node.parent)) {
      const name = frameName(node);
      if (seen.has(name) || name === '(root)') continue;
      seen.add(name);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, n]) => n < 0.9 * within.length).sort((a, b) => b[1] - a[1]).slice(0, 8)
    .map(([name, n]) => `${name} ${Math.round((100 * n) / within.length)}%`);
};

console.log('\nlongest tasks');
for (const task of [...tasks].sort((a, b) => b.dur - a.dur).slice(0, Math.min(top, 10))) {
  const parts = [...task.parts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, ms]) => `${name} ${ms.toFixed(0)}`);
  console.log(`  ${(task.dur / 1000).toFixed(0).padStart(5)} ms at ${((task.ts - events[0].ts) / 1e6).toFixed(1)} s: ${parts.join(', ')}`);
  if (samples.length > 0) console.log(`      ${functionsIn(task).join(', ')}`);
}
