// Profiling a phase of a bench case (see bench/README.md, "Profiling").
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * BENCH_PROFILE=<dir>: runs `work` under the page's CPU profiler and saves `<dir>/<name>.cpuprofile` (DevTools'
 * Performance panel opens it; bench/profile-summary.mjs sums it up). BENCH_HEAP=<dir>: samples the page's
 * allocations instead, kept or collected (what makes the garbage behind the collector's pauses), into
 * `<dir>/<name>.heapprofile` (bench/heap-summary.mjs). BENCH_TRACE=<dir>: records a trace of the page's
 * timeline instead, `<dir>/<name>.trace.json`, which also shows the browser's style, layout and paint
 * (bench/trace-summary.mjs sums up its main thread's tasks).
 */
export async function profiled(page, name, work) {
  if (process.env.BENCH_TRACE) {
    mkdirSync(process.env.BENCH_TRACE, { recursive: true });
    await page.tracing.start({ path: path.join(process.env.BENCH_TRACE, `${name}.trace.json`), categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler'] });
    try {
      return await work();
    } finally {
      await page.tracing.stop();
    }
  }
  const profiler = process.env.BENCH_HEAP
    ? {
        dir: process.env.BENCH_HEAP,
        file: `${name}.heapprofile`,
        start: [['HeapProfiler.enable'], ['HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }]],
        stop: 'HeapProfiler.stopSampling',
      }
    : process.env.BENCH_PROFILE && { dir: process.env.BENCH_PROFILE, file: `${name}.cpuprofile`, start: [['Profiler.enable'], ['Profiler.start']], stop: 'Profiler.stop' };
  if (!profiler) return work();
  const cdp = await page.createCDPSession();
  for (const [method, params] of profiler.start) await cdp.send(method, params);
  try {
    return await work();
  } finally {
    const { profile } = await cdp.send(profiler.stop);
    mkdirSync(profiler.dir, { recursive: true });
    writeFileSync(path.join(profiler.dir, profiler.file), JSON.stringify(profile));
    await cdp.detach();
  }
}
