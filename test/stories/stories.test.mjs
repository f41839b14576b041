// Storybook smoke test: every story of the built Storybook (storybook-static/) is loaded in Chromium against
// the real local backend, and fails on an uncaught error, a console error from the page's code, a story that
// errors, or a story that does not reach the state it says it shows (`parameters.smoke.text`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startBackend } from '../../scripts/backend.mjs';
import { inside, sendFile } from '../../scripts/demo-server.mjs';
import { chromePath, CHROME_ARGS } from '../../scripts/browsers.mjs';
import { startFaultProxy } from '../support/fault-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const staticDir = path.join(root, 'storybook-static');

let backend, proxy, server, browser, stateDir, origin;

before(async () => {
  assert.ok(existsSync(path.join(staticDir, 'index.json')), 'storybook-static/ is missing: run `npm run build-storybook` first');
  stateDir = mkdtempSync(path.join(tmpdir(), 'ls-stories-'));
  backend = await startBackend({ port: 0, persistTo: stateDir });
  proxy = await startFaultProxy({ target: backend.url });
  server = createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname === '/ls-backend.json') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: backend.url, faulty: proxy.url }));
    }
    const file = inside(staticDir, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!(file && (await sendFile(res, file)))) res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await puppeteer.launch({ executablePath: chromePath(), headless: true, args: CHROME_ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
  await proxy?.stop();
  await backend?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const index = existsSync(path.join(staticDir, 'index.json')) ? JSON.parse(readFileSync(path.join(staticDir, 'index.json'), 'utf8')) : { entries: {} };
const stories = Object.values(index.entries).filter((entry) => entry.type === 'story');

test('the built Storybook has a story for every element', () => {
  const titles = new Set(stories.map((s) => s.title));
  for (const tag of ['ls-file-upload', 'ls-file-image', 'ls-sync-status', 'ls-file-gallery']) assert.ok(titles.has(`Elements/${tag}`), `no stories for ${tag}`);
});

for (const story of stories) {
  test(`story ${story.title} / ${story.name} renders without errors`, async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // The browser's own network log: stories that show a fault (offline, a refused upload) cause these on purpose.
      if (/^Failed to load resource|net::ERR_/.test(message.text())) return;
      problems.push(`console.error: ${message.text()}`);
    });
    // The text a user can read, inside the elements' shadow roots too (not what only a screen reader gets).
    await page.evaluateOnNewDocument(() => {
      globalThis.__visibleText = () => {
        const texts = [];
        // Visually hidden text (for screen readers only) sits in a box clipped to a pixel.
        const shown = (element) => {
          for (let el = element; el; el = el.parentElement ?? el.getRootNode().host) {
            if (getComputedStyle(el).display === 'contents') continue;
            if (!el.checkVisibility({ visibilityProperty: true })) return false;
            const rect = el.getBoundingClientRect();
            if (rect.width <= 1 || rect.height <= 1) return false;
          }
          return true;
        };
        const walk = (node) => {
          if (node.nodeType === Node.TEXT_NODE) {
            const range = document.createRange();
            range.selectNodeContents(node);
            const box = range.getBoundingClientRect();
            if (box.width > 1 && box.height > 1 && shown(node.parentElement)) texts.push(node.textContent);
            return;
          }
          for (const child of node.shadowRoot ? [...node.shadowRoot.childNodes, ...node.childNodes] : node.childNodes) walk(child);
        };
        walk(document.querySelector('#storybook-root'));
        return texts.join(' ').replace(/\s+/g, ' ');
      };
    });
    try {
      await page.goto(`${origin}/iframe.html?id=${story.id}&viewMode=story`);
      const phase = await page.waitForFunction(
        () => {
          const phase = globalThis.__STORYBOOK_PREVIEW__?.currentRender?.phase;
          return ['completed', 'finished', 'errored', 'aborted'].includes(phase) && phase;
        },
        { timeout: 60_000, polling: 100 },
      );
      assert.ok(['completed', 'finished'].includes(await phase.jsonValue()), `the story ended ${await phase.jsonValue()}: ${await page.evaluate(() => document.querySelector('#error-message')?.textContent ?? '')}`);
      const { text: expected, selector } = await page.evaluate(() => globalThis.__STORYBOOK_PREVIEW__.currentRender.story.parameters.smoke ?? {});
      if (selector) {
        await page.waitForSelector(selector, { timeout: 30_000 }).catch(() => assert.fail(`the story never showed ${selector}`));
      }
      if (expected) {
        await page
          .waitForFunction((source) => new RegExp(source).test(globalThis.__visibleText()), { timeout: 30_000, polling: 200 }, expected)
          .catch(async () => assert.fail(`the story never showed /${expected}/; it shows: ${await page.evaluate(() => globalThis.__visibleText())}`));
      }
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
}
