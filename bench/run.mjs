// `npm run bench`: the kit's speed next to the physical limits of this machine, measured in one run.
// Production build, local backend (wrangler dev), headless Chromium; every case runs RUNS times and
// reports the median and the spread. Writes bench/results/latest.json and prints a table.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startBackend } from '../scripts/backend.mjs';
import { startDemoServer } from '../scripts/demo-server.mjs';
import { launchOptions } from '../scripts/browsers.mjs';
import { installContentHash } from '../test/support/page-content-hash.mjs';
import { numbered, readStat, threadTicks, TICKS_PER_SECOND } from '../test/support/proc-stat.mjs';
import { processReport } from '../test/support/process-report.mjs';
import { measureBundle } from './bundle.mjs';
import { installPageHelpers } from './page-helpers.mjs';
import { profiled } from './profiling.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MB = 1024 * 1024;
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 256);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 1024);
/**
 * BENCH_BROWSER=firefox runs the cases that need nothing of Chromium's DevTools protocol (upload, download, local
 * display) in Firefox instead, recorded as e.g. `upload (Firefox)` beside Chromium's figures.
 */
const BROWSER = process.env.BENCH_BROWSER === 'firefox' ? 'firefox' : 'chromium';
const FIREFOX_CASES = new Set(['upload', 'download', 'local display']);
/** BENCH_CASES=memory,upload runs only those cases (the others keep their last figures in latest.json). */
const wanted = (name) => (BROWSER === 'chromium' || FIREFOX_CASES.has(name)) && (!process.env.BENCH_CASES || process.env.BENCH_CASES.split(',').includes(name));

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
};
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const results = [];
function record(measured) {
  const entry = BROWSER === 'firefox' ? { ...measured, case: `${measured.case} (Firefox)` } : measured;
  results.push(entry);
  console.log(`${entry.case.padEnd(14)} ${String(entry.median).padStart(9)} ${entry.unit.padEnd(5)} [${entry.min}–${entry.max}]  next to ${entry.baseline}${entry.ratio !== undefined ? `  ratio ${entry.ratio}` : ''}  target ${entry.target}: ${entry.met ? 'met' : 'MISSED'}`);
}

/**
 * The machine's CPU time from now until the returned function is called: core-seconds busy, the share of
 * all cores that was, and the core-seconds of each kind of process (by its command name, from /proc where
 * there is one: the browser's, workerd's, the bench's own Node) and of each kind of thread in them (the
 * renderer's main thread, its workers, the network service...), and how long the local backend's busiest
 * thread (workerd runs requests on one) waited, ready to run, for a core. Whatever ran counts: on a machine of
 * few cores, what the kit adds to a transfer is paid in this, and the backend's wait is what it costs the transfer.
 */
const cpuMeter = () => {
  const sample = () => cpus().reduce((sum, { times: t }) => ({ busy: sum.busy + t.user + t.nice + t.sys + t.irq, all: sum.all + t.user + t.nice + t.sys + t.irq + t.idle }), { busy: 0, all: 0 });
  const start = { machine: sample(), threads: allThreadTicks() };
  return () => {
    const end = { machine: sample(), threads: allThreadTicks() };
    const byCommand = {};
    const byThread = {};
    let backend = { seconds: 0, waited: 0 };
    for (const [key, { command, thread, ticks, waited }] of end.threads) {
      const before = start.threads.get(key);
      const seconds = (ticks - (before?.ticks ?? 0)) / TICKS_PER_SECOND;
      byCommand[command] = (byCommand[command] ?? 0) + seconds;
      byThread[`${command}/${thread}`] = (byThread[`${command}/${thread}`] ?? 0) + seconds;
      if (command === 'workerd' && seconds > backend.seconds) backend = { seconds, waited: waited - (before?.waited ?? 0) };
    }
    const busy = end.machine.busy - start.machine.busy;
    return { coreSeconds: busy / 1000, share: busy / (end.machine.all - start.machine.all), byCommand, byThread, backendWaited: backend.waited };
  };
};
/** Each thread's CPU time so far in clock ticks, by `pid/tid`, with its process's and its own name (none without /proc). */
function allThreadTicks() {
  const all = new Map();
  for (const pid of numbered('/proc')) {
    const process = readStat(`/proc/${pid}/stat`);
    if (!process) continue;
    for (const [tid, { name, ticks, waited }] of threadTicks(pid)) all.set(`${pid}/${tid}`, { command: process.name, thread: name, ticks, waited });
  }
  return all;
}

execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

// bundle: the kit's own code (dependencies external) a page loads up front, the parts it loads only on demand
// (languages, the in-page download) apart, and all the JavaScript a page of the kit loads.
if (wanted('bundle') || wanted('page weight')) for (const entry of await measureBundle(root)) if (wanted(entry.case)) record(entry);

const work = mkdtempSync(path.join(tmpdir(), 'ls-bench-'));
const backend = await startBackend({ port: 0, persistTo: path.join(work, 'state') });
const demo = await startDemoServer({ port: 0, backendUrl: backend.url });
const browsers = [];
/** Shows `store` on `page` (the demo page of `site`) and waits until it is open. */
const openStorePage = async (page, store, site = demo) => {
  await page.goto(`${site.url}/?store=${store}`);
  await page.evaluate(() => document.querySelector('ls-file-sync').ready);
};
const profile = async (name, store, site = demo) => {
  const browser = await puppeteer.launch({ ...launchOptions(BROWSER), userDataDir: path.join(work, name), protocolTimeout: 600_000 });
  browsers.push(browser);
  const page = await browser.newPage();
  await installContentHash(page);
  await openStorePage(page, store, site);
  return page;
};


try {
  const store = `bench-${Date.now().toString(36)}`;
  const a = await profile('a', store);
  const b = await profile('b', store);

  await installPageHelpers(a);
  await installPageHelpers(b);

  // upload and download: a large generated file through the kit, next to one raw request of the same bytes.
  if (wanted('upload') || wanted('download')) {
    const kit = [];
    const raw = [];
    const saved = [];
    const down = [];
    const rawDown = [];
    /** The machine's CPU use during each raw upload and each of the kit's (see cpuMeter). */
    const cpuUse = [];
    for (let run = 0; run < RUNS; run++) {
      const { ms, rawMs, savedMs, id, remoteKey, rawCpu, kitCpu } = await profiled(a, `upload-${run}`, async () => {
        // The bytes, their hashes and a file of them on disk for each side (as a dropped file is), made before
        // either is timed or metered. Not Blobs in memory: two of 256 MiB passed what Chromium keeps of blobs
        // here, and the second could not be read (net::ERR_BLOB_REFERENCED_BLOB_BROKEN).
        const hashes = await a.evaluate(async (size) => {
          const bytes = window.bench.bytes(size);
          window.bench.uploadBlobs = [await window.bench.diskFile(bytes), await window.bench.diskFile(bytes)];
          return window.bench.hashes(bytes);
        }, UPLOAD_MB * MB);
        let cpu = cpuMeter();
        const rawMs = await a.evaluate((known) => window.bench.rawUpload(window.bench.uploadBlobs[0], known), hashes);
        const rawCpu = cpu();
        cpu = cpuMeter();
        const kitRun = await a.evaluate(async () => {
          const [, blob] = window.bench.uploadBlobs;
          delete window.bench.uploadBlobs;
          const t0 = performance.now();
          const view = await window.bench.sync().saveFile(new File([blob], 'big.bin'));
          const savedMs = performance.now() - t0;
          const t1 = await window.bench.until(view.id, ['synced']);
          await window.bench.removeRawFiles();
          return { ms: t1 - t0, savedMs, id: view.id, remoteKey: `${view.id}/${view.hash}` };
        });
        return { ...kitRun, rawMs, rawCpu, kitCpu: cpu() };
      });
      cpuUse.push({ raw: rawCpu, kit: kitCpu });
      kit.push(ms);
      raw.push(rawMs);
      saved.push(savedMs);
      const downloaded = await profiled(b, `download-${run}`, () => b.evaluate(async (id, remoteKey) => {
        // Timed from when B has heard that the bytes are uploaded (the raw GET knows where they are at once).
        await window.bench.until(id, ['remote']);
        const t0 = performance.now();
        window.bench.sync().requestDownload(id);
        const t1 = await window.bench.until(id, ['synced']);
        const rawMs = await window.bench.rawGet(remoteKey);
        return { ms: t1 - t0, rawMs };
      }, id, remoteKey));
      down.push(downloaded.ms);
      rawDown.push(downloaded.rawMs);
    }
    const rate = (ms) => round((UPLOAD_MB * MB) / 1e6 / (ms / 1000));
    const up = stats(kit.map(rate));
    const upRaw = stats(raw.map(rate));
    const cpuOf = (side) => {
      const median = (pick) => stats(cpuUse.map((c) => pick(c[side]))).median;
      const commands = Object.entries(cpuUse[0][side].byCommand).sort(([, a], [, b]) => b - a).slice(0, 3).map(([command]) => command);
      const top = commands.map((command) => `${command} ${round(median((c) => c.byCommand[command] ?? 0))}`).join(', ');
      const waited = median((c) => c.backendWaited);
      return `${round(median((c) => c.coreSeconds))} core-s, ${Math.round(100 * median((c) => c.share))}% of ${cpus().length} cores busy${top ? ` (${top})` : ''}${waited > 0 ? `, the local backend's thread waiting ${round(waited, 2)} s for a core` : ''}`;
    };
    // Where the kit's extra CPU goes, thread by thread (the first run's; the table keeps processes only).
    const threads = (side) => Object.entries(cpuUse[0][side].byThread).filter(([, seconds]) => seconds >= 0.1).sort(([, a], [, b]) => b - a).map(([name, seconds]) => `${name} ${round(seconds, 2)}`).join(', ');
    console.log(`  CPU by thread, core-s, raw upload: ${threads('raw')}\n  kit upload: ${threads('kit')}`);
    record({ case: 'upload', ...up, unit: 'MB/s', baseline: `raw upload of the same bytes through the same API ${upRaw.median} MB/s (${UPLOAD_MB} MiB; the kit's save to OPFS with its content hash, which the upload overlaps, took ${round(stats(saved).median)} ms; the machine's CPU: raw ${cpuOf('raw')}, kit ${cpuOf('kit')})`, ratio: round(up.median / upRaw.median, 2), target: 'ratio >= 0.9', met: up.median / upRaw.median >= 0.9 });
    const dn = stats(down.map(rate));
    const dnRaw = stats(rawDown.map(rate));
    record({ case: 'download', ...dn, unit: 'MB/s', baseline: `raw GET into OPFS ${dnRaw.median} MB/s (timed from when B has heard that the file is uploaded)`, ratio: round(dn.median / dnRaw.median, 2), target: 'ratio >= 0.9', met: dn.median / dnRaw.median >= 0.9 });
  }

  // save path: the kit's save of a large file (bytes into OPFS with their content hash, offline so no upload
  // competes), next to raw writes of the same bytes: createWritable() of the Blob in the page (the kit's way
  // where it exists), and from a worker through a sync access handle and through createWritable.
  if (wanted('save path')) {
    const kit = [];
    const raws = [];
    for (let run = 0; run < RUNS; run++) {
      // Each write starts with the disk's cache written back (`sync`) and its file removed after it: in one
      // evaluation, each write ran slower for the ones before it (the kit's, last, at half the speed it had first).
      const step = async (work, ...args) => {
        execFileSync('sync');
        return a.evaluate(work, ...args);
      };
      await a.evaluate(async (size) => {
        window.bench.saveBlob = new Blob([window.bench.bytes(size)]);
        // Untimed: the first write of a new Blob ran at a third of the speed of the next ones, whichever came first.
        await window.bench.rawOpfsWrite(window.bench.saveBlob);
        await window.bench.removeRawFiles();
      }, UPLOAD_MB * MB);
      const ms = await step(async (size) => {
        const sync = window.bench.sync();
        const t0 = performance.now();
        const id = `bench-${crypto.randomUUID()}`;
        const { hash, size: written } = await sync.local.writeBlob(id, window.bench.saveBlob);
        const ms = performance.now() - t0;
        if (written !== size || !hash) throw new Error('save path: the kit wrote other bytes');
        await sync.local.remove(id);
        return ms;
      }, UPLOAD_MB * MB);
      const rawPage = await step(async () => {
        const ms = await window.bench.rawOpfsWrite(window.bench.saveBlob);
        await window.bench.removeRawFiles();
        return ms;
      });
      const rawWorker = await step(async () => {
        const times = await window.bench.rawWorkerWrites(window.bench.saveBlob);
        await window.bench.removeRawFiles();
        return times;
      });
      const rawHash = await a.evaluate(async () => {
        const h0 = performance.now();
        await window.contentHashOfBytes(await window.bench.saveBlob.arrayBuffer());
        delete window.bench.saveBlob;
        return performance.now() - h0;
      });
      const r = { ms, rawPage, rawHash, ...rawWorker };
      kit.push(r.ms);
      raws.push(r);
    }
    const rate = (ms) => round((UPLOAD_MB * MB) / 1e6 / (ms / 1000));
    const s = stats(kit.map(rate));
    const rawRate = (name) => stats(raws.map((r) => rate(r[name]))).median;
    const raw = (name) => `${rawRate(name)} MB/s`;
    // The save writes and hashes side by side: it can go no faster than the slower of the two alone.
    const floor = Math.min(rawRate('rawPage'), rawRate('rawHash'));
    record({ case: 'save path', ...s, unit: 'MB/s', ratio: round(s.median / floor, 2), baseline: `${UPLOAD_MB} MiB saved with its content hash; the hash alone (the test's own implementation, bytes in memory) ${raw('rawHash')}; raw writes of the same Blob: createWritable() in the page ${raw('rawPage')}, a worker's sync access handle ${raw('syncHandleFromBlob')}; from memory in a worker (a download's way): sync access handle, 64 KiB chunks ${raw('syncHandleChunks')}, createWritable, 4 MiB chunks ${raw('createWritableChunks')}; ratio to the slower of the page's write and the hash alone`, target: 'ratio >= 0.9', met: s.median / floor >= 0.9 });
  }

  // local display: a 5 MB JPEG from addFiles to <ls-file-image status="ready"> painted.
  if (wanted('local display')) {
    // Profile B stands for another device, whose work (hearing of each photo, drawing its tile) is not on the
    // user's machine: it leaves the store's page for this case, and comes back after.
    await b.goto('about:blank');
    const kit = [];
    const raw = [];
    const rawDisplay = [];
    const parts = [];
    for (let run = 0; run < RUNS; run++) {
      const r = await profiled(a, `local-display-${run}`, () => a.evaluate(async () => {
        const jpeg = await window.bench.noiseJpeg(3000, 2250, 0.9);
        const rawMs = await window.bench.rawOpfsWrite(jpeg);
        // Painted: the frame after the one that first holds the loaded image waits for its decode (a trace
        // shows it starting once the decode task ends), so "painted" is the load, then two frames. Both sides
        // are timed that way.
        const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
        // The browser's own floor: a plain <img> of the same bytes in a tile-sized box, loaded and painted.
        const rawDisplayMs = await new Promise((resolve, reject) => {
          const r0 = performance.now();
          setTimeout(() => reject(new Error('local display: the plain <img> did not load within 60 s')), 60_000);
          const img = Object.assign(document.createElement('img'), { src: URL.createObjectURL(jpeg) });
          img.style.cssText = 'width: 160px; height: 160px; object-fit: cover; position: fixed; top: 0; left: 0';
          img.onload = () =>
            painted().then(() => {
              resolve(performance.now() - r0);
              URL.revokeObjectURL(img.src);
              img.remove();
            });
          img.onerror = () => reject(new Error('local display: the plain <img> could not load its JPEG'));
          document.body.append(img);
        });
        const gallery = document.querySelector('ls-file-gallery');
        // The file's id is known once its save resolves, and it may show before: the new tile is the one
        // whose id was not there before the drop.
        const before = new Set([...gallery.shadowRoot.querySelectorAll('[data-file-id]')].map((el) => el.dataset.fileId));
        const parts = {};
        let onLoad;
        const t0 = performance.now();
        // Timed as the plain <img> is: from its load event, two frames.
        const loaded = new Promise((resolve) => {
          onLoad = (event) => {
            const image = event.composedPath()[0];
            if (before.has(image.fileId)) return;
            // The first load: the photo is loaded again once decoded at its tile's size.
            parts.ready ??= performance.now() - t0;
            resolve(painted());
          };
          gallery.addEventListener('ls-load', onLoad);
        });
        const saved = document
          .querySelector('ls-file-upload')
          .addFiles([new File([jpeg], 'photo.jpg', { type: 'image/jpeg' })])
          .then(([view]) => {
            parts.saved = performance.now() - t0;
            return view?.id;
          });
        // Where the time goes, to the frame: its tile shown, its <img> given a source, ready; and when saved.
        let watching = true;
        const watch = () => {
          if (!watching) return;
          const el = [...gallery.shadowRoot.querySelectorAll('[data-file-id]')].find((item) => !before.has(item.dataset.fileId))?.querySelector('ls-file-image');
          if (el && parts.tile === undefined) parts.tile = performance.now() - t0;
          if (el?.shadowRoot?.querySelector('[part=image]') && parts.source === undefined) parts.source = performance.now() - t0;
          requestAnimationFrame(watch);
        };
        watch();
        let timer;
        const late = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`local display: the dropped photo was not shown within 60 s; reached ${JSON.stringify(parts)}`)), 60_000);
        });
        try {
          await Promise.race([loaded, late]);
          const ms = performance.now() - t0;
          const id = await Promise.race([saved, late]);
          // The next run starts on a quiet page, as this one did: this photo's upload done, and its
          // description for other devices (a decode of the photo and a commit, a second after its save).
          if (id) {
            await window.bench.until(id, ['synced']);
            await window.bench.filesWhere((files) => files.some((f) => f.id === id && f.width), 'local display: the photo described');
          }
          return { ms, rawMs, rawDisplayMs, size: jpeg.size, parts };
        } finally {
          watching = false;
          clearTimeout(timer);
          gallery.removeEventListener('ls-load', onLoad);
        }
      }));
      kit.push(r.ms);
      raw.push(r.rawMs);
      rawDisplay.push(r.rawDisplayMs);
      parts.push(r.parts);
      if (run === 0) console.log(`  (local display uses a ${round(r.size / 1e6)} MB JPEG)`);
    }
    const s = stats(kit.map((x) => round(x)));
    const part = (name) => `${name} ${round(stats(parts.map((p) => p[name])).median)} ms`;
    const plain = stats(rawDisplay).median;
    record({ case: 'local display', ...s, unit: 'ms', baseline: `a plain <img> of the same bytes loaded and painted ${round(plain)} ms; raw OPFS write ${round(stats(raw).median)} ms; medians from the drop: ${['tile', 'source', 'ready', 'saved'].map(part).join(', ')}`, ratio: round(s.median / plain, 2), target: 'ratio <= 1.25 (to the plain <img>)', met: s.median / plain <= 1.25 });
    await openStorePage(b, store);
    await installPageHelpers(b);
  }

  // peer display: a 1 MB image saved on A to <ls-file-image status="ready"> on B.
  if (wanted('peer display')) {
    const kit = [];
    for (let run = 0; run < RUNS; run++) {
      const id = await a.evaluate(async () => {
        const jpeg = await window.bench.noiseJpeg(800, 600, 0.95);
        window.bench.peerStart = Date.now();
        const [view] = await document.querySelector('ls-file-upload').addFiles([new File([jpeg], 'peer.jpg', { type: 'image/jpeg' })]);
        window.bench.peerStartedAt = Date.now();
        return view.id;
      });
      const startedAt = await a.evaluate(() => window.bench.peerStart);
      const readyAt = await b.evaluate(async (id) => {
        const gallery = document.querySelector('ls-file-gallery');
        for (;;) {
          const el = gallery.shadowRoot.querySelector(`[data-file-id="${id}"] ls-file-image`);
          if (el?.getAttribute('status') === 'ready') return Date.now();
          await new Promise((r) => requestAnimationFrame(() => r()));
        }
      }, id);
      kit.push(readyAt - startedAt);
    }
    const s = stats(kit);
    record({ case: 'peer display', ...s, unit: 'ms', baseline: 'two profiles, one machine, local backend', target: 'median < 1000 ms', met: s.median < 1000 });
  }

  // many files: 1,000 files of 20 KB saved while the page is offline (DevTools' network emulation), then
  // back online: time to all synced, and the longest main-thread task meanwhile.
  if (wanted('many files')) {
    const COUNT = Number(process.env.BENCH_MANY_FILES ?? 1000);
    const kit = [];
    const raw = [];
    const longest = [];
    const saving = [];
    const heaps = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await profile(`many-${run}`, `many-${run}-${Date.now().toString(36)}`);
      await installPageHelpers(page);
      await page.setOfflineMode(true);
      saving.push(
        await profiled(page, `many-files-save-${run}`, () => page.evaluate(async (count) => {
          document.querySelector('ls-file-upload').accept = '';
          const t0 = performance.now();
          await window.bench.addInDrops(count, 100, (j) => new File([window.bench.bytes(20 * 1024)], `many-${j}.bin`));
          return performance.now() - t0;
        }, COUNT)),
      );
      await page.evaluate(() => {
        window.bench.tasks = [];
        window.bench.observer = new PerformanceObserver((list) => window.bench.tasks.push(...list.getEntries().map((e) => e.duration)));
        window.bench.observer.observe({ type: 'longtask' });
        window.bench.t0 = performance.now();
      });
      await page.setOfflineMode(false);
      const r = await profiled(page, `many-files-${run}`, () => page.evaluate(async (count) => {
        const sync = window.bench.sync();
        await window.bench.allSynced(count);
        const ms = performance.now() - window.bench.t0;
        window.bench.observer.disconnect();
        // The same count of 20 KB PUTs through the same API, one after another, with nothing else running.
        const auth = { authorization: `Bearer ${sync.token}` };
        const bytes = window.bench.bytes(20 * 1024);
        const { hash, sha256 } = await window.bench.hashes(bytes);
        const r0 = performance.now();
        for (let i = 0; i < count; i++) {
          const response = await window.bench.rawFetch(`raw PUT ${i}`, sync.remote.url(`raw-many-${i}-${crypto.randomUUID()}/${hash}`), { method: 'PUT', body: bytes, headers: { ...auth, 'x-content-sha256': sha256 } });
          if (!response.ok) throw new Error(`raw PUT ${response.status}`);
        }
        return { ms, rawMs: performance.now() - r0, longest: Math.max(0, ...window.bench.tasks) };
      }, COUNT));
      kit.push(r.ms);
      raw.push(r.rawMs);
      longest.push(r.longest);
      // What the page still holds once all is synced: what every collection after has to mark.
      const cdp = await page.createCDPSession();
      await cdp.send('HeapProfiler.collectGarbage');
      heaps.push((await cdp.send('Runtime.getHeapUsage')).usedSize / MB);
      await page.browser().close();
    }
    const s = stats(kit.map((x) => round(x / 1000, 2)));
    const l = stats(longest.map((x) => round(x)));
    const heap = stats(heaps.map((x) => round(x, 1)));
    const rawS = round(stats(raw).median / 1000, 2);
    record({ case: 'many files', ...s, unit: 's', baseline: `${COUNT} × 20 KB saved offline (in ${round(stats(saving).median / 1000, 1)} s), then online: time to all synced; raw sequential PUTs of as many files ${rawS} s; longest main-thread task while syncing ${l.median} ms [${l.min}–${l.max}] (0: none over 50 ms); the page's JS heap after it all (a forced collection) ${heap.median} MB [${heap.min}–${heap.max}]`, ratio: round(rawS / s.median, 2), target: 'all synced, longest task < 50 ms', met: l.max < 50 });
  }

  // cold start: a page with 200 images in its store reloaded, to the first image in view `ready`.
  if (wanted('cold start')) {
    const COUNT = 200;
    const store = `cold-${Date.now().toString(36)}`;
    const page = await profile('cold', store);
    await installPageHelpers(page);
    await page.evaluate(async (count) => {
      await window.bench.addInDrops(count, 50, async (j) => new File([await window.bench.noiseJpeg(160, 120, 0.8)], `cold-${j}.jpg`, { type: 'image/jpeg' }));
      await window.bench.allSynced(count);
    }, COUNT);
    const firstReady = () =>
      page.waitForFunction(
        () => {
          const image = document.querySelector('ls-file-gallery')?.shadowRoot?.querySelector('ls-file-image[status=ready]');
          return image ? performance.now() : false;
        },
        { polling: 'raf', timeout: 60_000 },
      ).then((handle) => handle.jsonValue());
    const kit = [];
    const empty = [];
    for (let run = 0; run < RUNS; run++) {
      await page.reload({ waitUntil: 'domcontentloaded' });
      kit.push(await firstReady());
      // The baseline: the same page on an empty store, to the store open (nothing to show).
      await page.goto(`${demo.url}/?store=empty-${run}-${Date.now().toString(36)}`, { waitUntil: 'domcontentloaded' });
      empty.push(await page.evaluate(async () => (await document.querySelector('ls-file-sync').ready, performance.now())));
      await page.goto(`${demo.url}/?store=${store}`, { waitUntil: 'domcontentloaded' });
      await firstReady();
    }
    const s = stats(kit.map((x) => round(x)));
    record({ case: 'cold start', ...s, unit: 'ms', baseline: `reload with ${COUNT} images in the store to the first image ready; the same page on an empty store to its store open: ${round(stats(empty).median)} ms`, target: 'median < 1500 ms', met: s.median < 1500 });
  }

  // first render: the page with the one script tag, in a new profile each run (nothing cached, no service
  // worker, no store on the device): when its elements are first drawn and its store is open, next to the
  // same page without the kit (its script answered empty) loaded.
  if (wanted('first render')) {
    const kit = [];
    const opened = [];
    const plain = [];
    const coldPage = async (name, withoutKit) => {
      const browser = await puppeteer.launch({ ...launchOptions(BROWSER), userDataDir: path.join(work, name), protocolTimeout: 120_000 });
      browsers.push(browser);
      const page = await browser.newPage();
      if (withoutKit) {
        await page.setRequestInterception(true);
        page.on('request', (request) => (new URL(request.url()).pathname === '/kit/ls-file-sync.js' ? request.respond({ status: 200, contentType: 'text/javascript', body: '' }) : request.continue()));
      }
      return { browser, page };
    };
    for (let run = 0; run < RUNS; run++) {
      const url = `${demo.url}/demo/single-script.html?store=first-${run}-${Date.now().toString(36)}`;
      const without = await coldPage(`first-plain-${run}`, true);
      await without.page.goto(url, { waitUntil: 'load', timeout: 60_000 });
      plain.push(await without.page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
      await without.browser.close();

      const cold = await coldPage(`first-kit-${run}`, false);
      await cold.page.evaluateOnNewDocument(() => {
        window.firstRender = customElements.whenDefined('ls-file-upload').then(async () => {
          await document.querySelector('ls-file-upload').updateComplete;
          return performance.now();
        });
      });
      await cold.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      const { rendered, ready } = await cold.page.evaluate(async () => {
        const late = (what) => new Promise((_, reject) => setTimeout(() => reject(new Error(`first render: ${what} not within 60 s`)), 60_000));
        const rendered = await Promise.race([window.firstRender, late('the drop zone drawn')]);
        const ready = await Promise.race([document.querySelector('ls-file-sync').ready.then(() => performance.now()), late('the store open')]);
        return { rendered, ready };
      });
      kit.push(rendered);
      opened.push(ready);
      await cold.browser.close();
    }
    const s = stats(kit.map((x) => round(x)));
    const plainMs = stats(plain).median;
    const openMs = stats(opened).median;
    record({ case: 'first render', ...s, unit: 'ms', baseline: `a new profile each run, from navigation: the same page without the kit loaded in ${round(plainMs)} ms; with it, the store open at ${round(openMs)} ms`, ratio: round(s.median / plainMs, 2), target: 'the elements drawn before the store is open', met: s.max < stats(opened).min });
  }

  // gallery: 1,000 images in the store, all synced: after a reload, the longest main-thread task while
  // the page is looked through a screen at a time until every image has shown, jumps to its end and back
  // (the scrollbar dragged), and takes in one more file.
  if (wanted('gallery')) {
    const COUNT = Number(process.env.BENCH_GALLERY_FILES ?? 1000);
    const longest = [];
    const phases = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await profile(`gallery-${run}`, `gallery-${run}-${Date.now().toString(36)}`);
      await installPageHelpers(page);
      await page.evaluate(async (count) => {
        const jpegs = await Promise.all(Array.from({ length: 20 }, () => window.bench.noiseJpeg(160, 120, 0.8)));
        await window.bench.addInDrops(count, 100, (j) => new File([jpegs[j % jpegs.length]], `gallery-${j}.jpg`, { type: 'image/jpeg' }));
        await window.bench.allSynced(count);
        // As a user comes back to them: described for other devices too (the leader describes each image a
        // second after it arrived, one at a time; after 1,000 at once, half were not when the files were
        // synced, and describing went on through the case).
        await window.bench.filesWhere((files) => files.every((f) => f.width), 'gallery: every image described');
      }, COUNT);
      // A fresh load with the files in the store, as a user comes back to the page.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await installPageHelpers(page);
      const r = await profiled(page, `gallery-${run}`, () => page.evaluate(async (count) => {
        const gallery = document.querySelector('ls-file-gallery');
        const tasks = [];
        const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
        observer.observe({ type: 'longtask' });
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        const tiles = () => gallery.shadowRoot.querySelectorAll('[data-file-id]').length;
        // Counted from events: querying a thousand tiles every frame would itself load the main thread. A tile
        // that comes back into view shows its image again: each file is counted once.
        const shown = new Set();
        gallery.addEventListener('ls-load', (e) => shown.add(e.composedPath()[0].fileId));
        const readyImages = () => shown.size;
        let mostTiles = 0;
        const countTiles = () => (mostTiles = Math.max(mostTiles, tiles()));
        const phase = async (work) => {
          const before = tasks.length;
          const t0 = performance.now();
          await work();
          const own = tasks.slice(before);
          return { ms: Math.round(performance.now() - t0), longest: Math.round(Math.max(0, ...own)), long: own.map(Math.round) };
        };
        /** Until no image has shown for ten frames (at most 5 s): what is on screen is there. */
        const settle = async () => {
          for (let quiet = 0, seen = readyImages(), t0 = performance.now(); quiet < 10 && performance.now() - t0 < 5000; ) {
            await frame();
            quiet = readyImages() === seen ? quiet + 1 : 0;
            seen = readyImages();
          }
        };
        const load = await phase(async () => {
          await document.querySelector('ls-file-sync').ready;
          while (tiles() === 0) await frame();
          await settle();
        });
        // Down the page a screen at a time, as someone looking through it: each screen until its images
        // have shown (no new one for ten frames), then the next.
        const scroll = await phase(async () => {
          for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight) {
            window.scrollTo(0, y);
            await settle();
            countTiles();
          }
          if (readyImages() < count) {
            const files = window.bench.sync().files.get();
            const missing = files.flatMap((f, i) => (shown.has(f.id) ? [] : [i]));
            throw new Error(`gallery: ${readyImages()} of ${count} images shown after looking at every screen; not shown: the ${missing.slice(0, 20).join(', ')}th of ${files.length} (scroll height ${document.documentElement.scrollHeight}, window ${innerHeight})`);
          }
        });
        // Back to the top at once, to the end at once, and to the top again: each until its images show.
        const jump = await phase(async () => {
          for (const y of [0, document.documentElement.scrollHeight, 0]) {
            window.scrollTo(0, y);
            await settle();
            countTiles();
          }
        });
        const added = await phase(async () => {
          const [view] = await document.querySelector('ls-file-upload').addFiles([new File([await window.bench.noiseJpeg(160, 120, 0.8)], 'one-more.jpg', { type: 'image/jpeg' })]);
          while (gallery.shadowRoot.querySelector(`[data-file-id="${view.id}"] ls-file-image`)?.getAttribute('status') !== 'ready') await frame();
        });
        observer.disconnect();
        return { load, scroll, jump, added, mostTiles, longest: Math.max(scroll.longest, jump.longest, added.longest) };
      }, COUNT));
      longest.push(r.longest);
      phases.push(r);
      await page.browser().close();
    }
    const s = stats(longest);
    const phase = (name) => `${name} ${stats(phases.map((p) => p[name].ms)).median} ms (longest task ${stats(phases.map((p) => p[name].longest)).median} ms)`;
    if (process.env.BENCH_DEBUG) for (const p of phases) console.log('  gallery long tasks:', JSON.stringify({ load: p.load.long, scroll: p.scroll.long, jump: p.jump.long, added: p.added.long }));
    const tilesAtMost = Math.max(...phases.map((p) => p.mostTiles));
    record({ case: 'gallery', ...s, unit: 'ms', baseline: `longest main-thread task with ${COUNT} images in the store: ${phase('scroll')}, ${phase('jump')}, ${phase('added')}; the page's load before them: ${phase('load')}; medians; at most ${tilesAtMost} tiles in the document`, target: 'longest task < 50 ms', met: s.median < 50 });
  }
  // Last: in two full runs, profile B stopped hearing of A's new files after this case had run (once in the
  // shared store, once in a browser and store of its own), and the peer display case after it waited
  // forever. Not diagnosed yet (see docs/reliability.md); run alone, every case passes.
  // memory: the page's JS heap while a 1 GB file (disk-backed, written to OPFS beforehand) is saved and uploaded.
  if (wanted('memory')) {
    // A store of its own: in the shared one the other profile would download the gigabyte meanwhile and
    // slow every case after this one.
    const page = await profile('memory', `memory-${Date.now().toString(36)}`);
    await installPageHelpers(page);
    const cdp = await page.createCDPSession();
    const heap = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const peaks = [];
    for (let run = 0; run < RUNS; run++) {
      await page.evaluate(async (size) => {
        // The source is streamed into OPFS in 8 MiB pieces, so it is a File on disk, as a dropped file is.
        const root = await navigator.storage.getDirectory();
        const handle = await root.getFileHandle(`memory-source-${crypto.randomUUID()}`, { create: true });
        const writable = await handle.createWritable();
        for (let offset = 0; offset < size; offset += 8 * 1024 * 1024) await writable.write(window.bench.bytes(Math.min(8 * 1024 * 1024, size - offset)));
        await writable.close();
        window.bench.memorySource = await handle.getFile();
      }, MEMORY_MB * MB);
      await cdp.send('HeapProfiler.collectGarbage');
      const idle = await heap();
      let peak = idle;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, await heap());
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const ok = await page.evaluate(async () => {
        const view = await window.bench.sync().saveFile(window.bench.memorySource);
        await window.bench.until(view.id, ['synced']);
        return view.size === window.bench.memorySource.size;
      });
      sampling = false;
      await sampler;
      if (!ok) throw new Error('memory: the saved size differs from the source');
      peaks.push(round((peak - idle) / MB));
    }
    await cdp.detach();
    await page.browser().close();
    const s = stats(peaks);
    record({ case: 'memory', ...s, unit: 'MB', baseline: `a ${MEMORY_MB} MiB file; peak JS heap of the page over idle, sampled every 50 ms (the leader worker's heap not included)`, target: '< 64 MB over idle', met: s.median < 64 });
  }

} catch (error) {
  // A case that gave up waiting (a raw request of five minutes, a state never reached): what the local
  // backend logged and what its processes are doing now, since it has been seen busy for minutes.
  console.error(`The bench stopped: ${error?.stack ?? error}`);
  console.error(`The local backend's log, its end:\n${backend.output().split('\n').slice(-60).join('\n')}`);
  console.error(`The local backend's processes now:\n${await processReport(backend.pid)}`);
  process.exitCode = 1;
} finally {
  await Promise.all(browsers.map((b) => b.close().catch(() => {})));
  await demo.close();
  await backend.stop();
  rmSync(work, { recursive: true, force: true });
}
if (process.exitCode) process.exit();

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const latest = path.join(root, 'bench/results/latest.json');
// A partial run (BENCH_CASES) replaces only its own cases.
let previous = [];
try {
  previous = JSON.parse(readFileSync(latest, 'utf8'));
} catch {}
const merged = [...previous.filter((old) => !results.some((r) => r.case === old.case)), ...results];
writeFileSync(latest, JSON.stringify(merged, null, 2) + '\n');
console.log(`\nWrote bench/results/latest.json (${RUNS} runs per case).`);
