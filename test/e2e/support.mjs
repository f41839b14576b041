// Shared by the end-to-end tests: browser profiles on the built demo page, and how to read the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startBackend, devToken } from '../../scripts/backend.mjs';
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { launchOptions } from '../../scripts/browsers.mjs';
import { startFaultProxy } from '../support/fault-proxy.mjs';
import { installContentHash } from '../support/page-content-hash.mjs';

/** A backend (with a fault proxy in front when `proxied`), a demo server, and browser profiles; `close()` ends all. */
export async function startWorld({ proxied = false } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'ls-e2e-'));
  const world = {
    work,
    stateDir: path.join(work, 'backend-state'),
    /** Chosen at the first start and kept, so a restarted backend answers where pages and the proxy expect it. */
    backendPort: 0,
    browsers: [],
    backend: undefined,
    proxy: undefined,
    demo: undefined,
    async startBackend() {
      this.backend = await startBackend({ port: this.backendPort, persistTo: this.stateDir });
      this.backendPort = Number(new URL(this.backend.url).port);
      return this.backend;
    },
    /**
     * A browser profile of its own (`engine`: 'chromium', the default, or 'firefox') on the demo page of
     * `storeId`; `privateWindow`: Firefox in a private window.
     */
    async openProfile(name, storeId, engine = 'chromium', { privateWindow = false } = {}) {
      const options = launchOptions(engine, { privateWindow });
      // E2E_NETLOG=<dir>: Chromium's own network log of each profile, <dir>/<name>.json (every request, its
      // connection and how long it waited for one): how a profile that reached the backend no more was read.
      if (process.env.E2E_NETLOG && engine === 'chromium') options.args = [...options.args, `--log-net-log=${path.join(process.env.E2E_NETLOG, `${name}.json`)}`];
      const browser = await puppeteer.launch({ ...options, userDataDir: path.join(work, `profile-${name}`) });
      this.browsers.push(browser);
      // E2E_CONSOLE=1: the console of the profile's shared workers too (LiveStore's connects the tabs to their leader).
      if (process.env.E2E_CONSOLE) {
        const started = Date.now();
        const at = () => ((Date.now() - started) / 1000).toFixed(1);
        browser.on('targetdestroyed', (target) => target.type() === 'shared_worker' && console.log(`${at()} [${name} shared worker] ended: ${target.url()}`));
        browser.on('targetcreated', async (target) => {
          if (target.type() !== 'shared_worker') return;
          console.log(`${at()} [${name} shared worker] started: ${target.url()}`);
          const worker = await target.worker().catch(() => null);
          worker?.on('console', (m) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} [${name} shared worker] ${m.type()}: ${m.text().slice(0, 1000)}`));
        });
      }
      return { browser, page: await this.openPage(browser, storeId, name) };
    },
    async openPage(browser, storeId, name = 'page') {
      const page = await browser.newPage();
      await installContentHash(page);
      page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message));
      // E2E_CONSOLE=1: every console line of the page and its workers (LiveStore's leader runs in one).
      // Without it, the kit's own warnings only (a store that stopped syncing on the page, and why): what a
      // failing test's page was doing.
      const started = Date.now();
      const print = (where) => (m) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} [${name} ${where}] ${m.type()}: ${m.text().slice(0, 1000)}`);
      const all = Boolean(process.env.E2E_CONSOLE);
      const printPage = print('page');
      page.on('console', (m) => (all || (m.type() === 'warn' && /^\[?ls-file-sync/.test(m.text()))) && printPage(m));
      if (all) page.on('workercreated', (worker) => worker.on('console', print('worker')));
      await openDemo(page, this.demo.url, storeId);
      return page;
    },
    /**
     * Ends all, each part within a bound: a part that never closes fails the test naming it, and the rest
     * still close. (Three chaos runs once ended here with Node's exit 13, a wait with nothing left to wait
     * on, and no word of which.)
     */
    async close() {
      const parts = [
        ['the browsers', () => Promise.all(this.browsers.map((b) => b.close().catch(() => {})))],
        ['the demo server', () => this.demo?.close()],
        ['the fault proxy', () => this.proxy?.stop()],
        ['the backend', () => this.backend?.stop()],
      ];
      const failures = [];
      for (const [what, close] of parts) await within(Promise.resolve(close()), 30_000, `closing ${what}`).catch((error) => failures.push(error));
      rmSync(work, { recursive: true, force: true });
      if (failures.length > 0) throw failures[0];
    },
  };
  await world.startBackend();
  if (proxied) world.proxy = await startFaultProxy({ target: world.backend.url });
  world.demo = await startDemoServer({ port: 0, backendUrl: (world.proxy ?? world.backend).url });
  return world;
}

export async function openDemo(page, demoUrl, storeId) {
  await page.goto(`${demoUrl}/?store=${storeId}`, { waitUntil: 'load' });
  await page.waitForFunction(() => customElements.get('ls-file-sync') !== undefined);
  await within(page.evaluate(() => document.querySelector('ls-file-sync').ready), 90_000, `the demo page of ${storeId} opening its store`);
}

/** State of one file in the page's gallery: the tile's sync state and its image's status. */
export function tile(page, id) {
  return page.evaluate((id) => {
    const item = document.querySelector('ls-file-gallery')?.shadowRoot?.querySelector(`[data-file-id="${id}"]`);
    if (!item) return null;
    const image = item.querySelector('ls-file-image');
    const img = image?.shadowRoot?.querySelector('img[part=image]');
    return { state: item.dataset.state, image: image?.getAttribute('status') ?? null, width: img?.naturalWidth ?? 0 };
  }, id);
}

export async function waitForTile(page, id, predicate, what, timeout = 30_000) {
  return waitUntil(() => tile(page, id), (t) => t && predicate(t), what, timeout);
}

/** `promise`, or a rejection saying `what` did not answer within `ms` (a page call that hangs). */
export function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function waitUntil(read, predicate, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    // A page that stopped answering fails the wait with what it was reading, instead of holding it for good.
    last = await within(read(), Math.max(10_000, deadline - Date.now()), `${what}: reading the page`);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: timed out, last seen ${JSON.stringify(last)}`);
}

/** Adds generated bytes as a file through the page's <ls-file-upload>; returns its id, hash and size. */
export function addGeneratedFile(page, { size, name = 'data.bin', type = 'application/octet-stream' }) {
  return page.evaluate(
    async (size, name, type) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
      const hash = await window.contentHashOfBytes(bytes);
      const upload = document.querySelector('ls-file-upload');
      upload.accept = '';
      const [view] = await upload.addFiles([new File([bytes], name, { type })]);
      if (!view) throw new Error(`${name} was not added: ${upload.rejections.map((r) => r.message).join('; ') || 'no reason given'}`);
      return { id: view.id, hash, size };
    },
    size,
    name,
    type,
  );
}

export const isLeader = (page) => page.evaluate(() => document.querySelector('ls-file-sync').sync.isLeader.get());

/** What a page says, the records it holds and which of them it knows uploaded. */
const pageClaim = (page) =>
  page.evaluate(() => {
    const sync = document.querySelector('ls-file-sync').sync;
    // While the element opens its store again (after it stopped), there is no claim.
    if (!sync) return { status: 'opening', files: [] };
    return { status: sync.summary.get().status, files: sync.files.get().map((f) => [f.id, f.remoteKey !== null]) };
  });

/**
 * Every half second until `stop()`: a page that says "synced" must hold nothing the backend lacks, neither a
 * record nor an upload it knows of (read from the backend itself, past the fault proxy; a file another device
 * has not uploaded yet is not this page's to claim). The backend only gains records,
 * so one it lacks after the page's answer it lacked when the page gave it. Returns the claims that were false.
 */
export function watchSyncedClaims(world, storeId, pages) {
  const falseClaims = [];
  let watching = true;
  const done = (async () => {
    const token = await devToken(storeId, ['read']);
    while (watching) {
      for (const [name, page] of pages) {
        const claim = await within(pageClaim(page), 10_000, `${name}'s status`).catch(() => undefined);
        if (claim?.status !== 'synced') continue;
        const response = await fetch(`${world.backend.url}/api/stores/${storeId}/manifest`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        if (!response?.ok) continue; // the backend restarting
        const held = new Map((await response.json()).files.map(([id, , uploaded]) => [id, uploaded === 1]));
        const lacking = claim.files.filter(([id, uploaded]) => !held.has(id) || (uploaded && held.get(id) !== true));
        if (lacking.length > 0) falseClaims.push(`${name} said synced while the backend lacked ${lacking.length} of its records or uploads`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      watching = false;
      await done;
      return falseClaims;
    },
  };
}

/** LiveStore's own view of a page's sync: the session's and the leader's heads and pending events. */
export const syncStates = (page) =>
  within(
    page.evaluate(async () => {
      const states = await document
        .querySelector('ls-file-sync')
        .sync.store._dev.syncStates()
        .catch((error) => `unreadable: ${String(error?.stack ?? error).slice(0, 1500)}`);
      if (typeof states === 'string') return states;
      const { session, leader } = states;
      const head = (n) => (n ? `e${n.global}${n.client ? `.${n.client}` : ''}r${n.rebaseGeneration}` : '?');
      const describe = (s) => `local ${head(s.localHead)} upstream ${head(s.upstreamHead)} pending ${s.pending.length}${s.pending.length ? ` from ${head(s.pending[0].seqNum)}` : ''}`;
      return `session ${describe(session)}; leader ${describe(leader)}`;
    }),
    10_000,
    'LiveStore\'s sync states',
  ).catch((error) => `sync states unreadable: ${error.message}`);
