// Element and core tests in real Chromium and Firefox, against the real worker under workerd (started here,
// stopped by PID), and in WebKitGTK. WTR_BROWSERS picks the browsers: `chromium,firefox,webkit` (the default), or some of them.
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBackend } from './scripts/backend.mjs';
import { launchOptions } from './scripts/browsers.mjs';
import { webkitLauncher } from './scripts/webkit-launcher.mjs';
import * as puppeteer from 'puppeteer-core';
import { startFaultProxy } from './test/support/fault-proxy.mjs';

/**
 * The pages run the kit from its sources, but LiveStore's leader and shared workers run as `npm run build`
 * makes them (what users get): from the sources, each worker would load LiveStore and Effect module by
 * module, and every store a test opens starts a leader worker (see bench/README.md, "test suite"). Built
 * here when dist/ is missing or older than what goes into it.
 */
function builtWorkers() {
  const newest = (entry) => {
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
  };
  const built = existsSync('dist/leader-worker.js') && existsSync('dist/shared-worker.js') ? Math.min(statSync('dist/leader-worker.js').mtimeMs, statSync('dist/shared-worker.js').mtimeMs) : 0;
  if (built > Math.max(newest('src'), newest('patches'), newest('package-lock.json'), newest('vite.config.ts'))) return;
  console.log('Building the kit (dist/ is older than its sources): the tests load LiveStore\'s workers from it.');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the browser tests need dist/leader-worker.js');
}

let backend;
let proxy;
let stateDir;

/**
 * Starts the local backend, and a fault-injecting proxy in front of it, with the test server; tells the
 * tests where they are (GET /__test-config.json).
 */
const backendPlugin = {
  name: 'ls-backend',
  async serverStart() {
    builtWorkers();
    stateDir = mkdtempSync(path.join(tmpdir(), 'ls-wtr-'));
    // A one-second deletion grace period, so tests see deleted bytes go (the default is a day).
    backend = await startBackend({ port: 0, persistTo: stateDir, vars: { DELETE_GRACE_SECONDS: '1' }, quiet: !process.env.LS_BACKEND_LOGS });
    proxy = await startFaultProxy({ target: backend.url });
  },
  async serverStop() {
    await proxy?.stop();
    await backend?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  },
  serve(context) {
    if (context.path === '/__test-config.json') return { body: JSON.stringify({ backendUrl: backend.url, proxyUrl: proxy.url }), type: 'json' };
  },
};

/**
 * `device-scale` (executeServerCommand): sets the page's device pixel ratio, as a browser zoom or a move to
 * another screen does (DevTools' device emulation, the page's size kept); no scale clears it.
 */
const deviceScalePlugin = {
  name: 'ls-device-scale',
  async executeCommand({ command, payload, session }) {
    if (command !== 'device-scale') return undefined;
    const page = session.browser.getPage(session.id);
    await page.setViewport(payload?.scale ? { width: payload.width, height: payload.height, deviceScaleFactor: payload.scale } : null);
    return true;
  },
};

/** With WTR_DURATIONS=<file>: every test's duration, slowest first, written to that file (where the suite's time goes). */
const durationsReporter = {
  onTestRunFinished({ sessions }) {
    const rows = [];
    const walk = (suite, file, prefix) => {
      for (const test of suite.tests) rows.push([test.duration ?? 0, `${file} › ${prefix}${test.name}`]);
      for (const child of suite.suites) walk(child, file, `${prefix}${child.name} › `);
    };
    for (const session of sessions) if (session.testResults) walk(session.testResults, path.basename(session.testFile), '');
    rows.sort((a, b) => b[0] - a[0]);
    writeFileSync(process.env.WTR_DURATIONS, rows.map(([ms, name]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`).join('\n') + '\n');
  },
};

/** WTR_BROWSERS: `chromium,firefox,webkit` (the default), or some of them. */
const browsers = (process.env.WTR_BROWSERS ?? 'chromium,firefox,webkit').split(',');

export default {
  files: ['test/browser/**/*.test.ts'],
  hostname: '127.0.0.1',
  // LiveStore needs the browser build of its utilities (else nanoid pulls node:crypto into the page).
  nodeResolve: { browser: true, exportConditions: ['browser', 'development'] },
  concurrency: 1,
  // One browser at a time: the fault proxy's injected faults are the whole server's, not one page's.
  concurrentBrowsers: 1,
  middleware: [
    async (ctx, next) => {
      // LiveStore's workers as the build makes them (see builtWorkers).
      const worker = /^\/src\/core\/workers\/(leader|shared)-worker\.ts$/.exec(ctx.path);
      if (worker) {
        ctx.redirect(`/dist/${worker[1]}-worker.js${ctx.search ?? ''}`);
        return;
      }
      await next();
      // The service worker lives under /src/core/workers/ but must control the test page at /.
      if (ctx.path.endsWith('/service-worker.ts')) ctx.set('Service-Worker-Allowed', '/');
    },
  ],
  plugins: [
    backendPlugin,
    deviceScalePlugin,
    // chrome130: keeps import attributes (LiveStore's JSON imports) and leaves no decorators behind.
    esbuildPlugin({ ts: true, target: 'chrome130', tsconfig: './tsconfig.json' }),
  ],
  // Firefox goes through the same launcher with puppeteer's WebDriver BiDi (patches/puppeteer-core+24.43.1.patch).
  browsers: browsers.filter((browser) => browser !== 'webkit').map((browser) =>
    browser === 'firefox' ? chromeLauncher({ puppeteer, launchOptions: launchOptions('firefox') }) : chromeLauncher({ launchOptions: launchOptions('chromium') }),
  ),
  // WebKit (WebKitGTK's MiniBrowser, scripts/webkit-launcher.mjs) runs every file.
  groups: browsers.includes('webkit') ? [{ name: 'webkit', files: ['test/browser/**/*.test.ts'], browsers: [webkitLauncher()] }] : [],
  testFramework: { config: { timeout: 60000 } },
  reporters: [defaultReporter(), ...(process.env.WTR_DURATIONS ? [durationsReporter] : [])],
  testsFinishTimeout: Number(process.env.WTR_FINISH_TIMEOUT ?? 15 * 60 * 1000),
  browserStartTimeout: 60000,
};
