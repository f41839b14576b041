// The demo pages besides the gallery, built and served as `npm start` serves them, against the real backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, waitUntil } from './support.mjs';

let world;
let browser;
before(async () => {
  world = await startWorld();
  ({ browser } = await world.openProfile('demos', `demos-${Date.now()}`));
});
after(() => world?.close());

async function open(path, { kit = true } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${world.demo.url}${path}`, { waitUntil: 'load' });
  if (kit) await page.waitForFunction(() => customElements.get('ls-file-sync') !== undefined);
  return { page, errors };
}

/** Saves a generated PNG through the `index`th upload control of the page; returns its file id. */
const addImage = (page, index, name) =>
  page.evaluate(
    async (index, name) => {
      const canvas = new OffscreenCanvas(64, 48);
      const context = canvas.getContext('2d');
      context.fillStyle = '#0a7';
      context.fillRect(0, 0, 64, 48);
      const file = new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
      const [view] = await document.querySelectorAll('ls-file-upload')[index].addFiles([file]);
      return view.id;
    },
    index,
    name,
  );

test('CMS article form: a required cover blocks publishing; the form posts the saved file ids; the page shows the cover by id', async () => {
  const storeId = `article-${Date.now()}`;
  const { page, errors } = await open(`/demo/article.html?store=${storeId}`);
  await page.evaluate(() => document.querySelector('ls-file-sync').ready);

  await page.type('input[name=title]', 'Harbour at dawn');
  await page.click('button[type=submit]');
  await new Promise((r) => setTimeout(r, 300));
  assert.match(page.url(), /article\.html/, 'the form must not post without its required cover');
  assert.equal(await page.evaluate(() => document.querySelector('ls-file-upload[name=cover]').validity.valueMissing), true);

  const cover = await addImage(page, 0, 'cover.png');
  const attachment = await addImage(page, 1, 'map.png');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

  assert.match(page.url(), /\/demo\/echo/);
  const fields = await page.$$eval('#fields dt', (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
  assert.deepEqual(fields, [
    ['title', 'Harbour at dawn'],
    ['body', ''],
    ['cover', cover],
    ['attachments', attachment],
  ]);
  await waitUntil(() => page.evaluate(() => document.querySelector('#cover').getAttribute('status')), (s) => s === 'ready', 'the cover shown by its id');
  assert.deepEqual(errors, []);
  await page.close();
});

test('two frames of one store: a file added in one appears in the other', async () => {
  const storeId = `frames-${Date.now()}`;
  const { page, errors } = await open(`/demo/frames.html?store=${storeId}`, { kit: false });
  const [first, second] = await Promise.all(
    (await page.$$('iframe')).map(async (handle) => {
      const frame = await handle.contentFrame();
      await frame.waitForFunction(() => customElements.get('ls-file-sync') !== undefined && document.querySelector('ls-file-sync').sync !== undefined);
      return frame;
    }),
  );
  const id = await addImage(first, 0, 'shared.png');
  const count = () => second.evaluate(() => document.querySelector('ls-file-gallery').getAttribute('count'));
  await waitUntil(count, (c) => c === '1', 'the second frame to list the file');
  const status = () => second.evaluate((id) => document.querySelector('ls-file-gallery').shadowRoot.querySelector(`[data-file-id="${id}"] ls-file-image`)?.getAttribute('status'), id);
  await waitUntil(status, (s) => s === 'ready', 'the second frame to show the image');
  assert.deepEqual(errors, []);
  await page.close();
});

test('one script tag and no styles: the kit works from its build output alone', async () => {
  const storeId = `single-${Date.now()}`;
  const { page, errors } = await open(`/demo/single-script.html?store=${storeId}`);
  assert.equal(await page.$$eval('script', (scripts) => scripts.length), 1);
  const id = await addImage(page, 0, 'plain.png');
  const state = () => page.evaluate((id) => document.querySelector('ls-file-gallery').shadowRoot.querySelector(`[data-file-id="${id}"]`)?.dataset.state, id);
  await waitUntil(state, (s) => s === 'synced', 'the file to upload');
  assert.deepEqual(errors, []);
  await page.close();
});
