// A small static server for the demo pages and the kit's build output, on 127.0.0.1 only.
//   /                 demo/index.html, with a development token for the store (`?store=`, default `demo`)
//   /demo/<page>.html the other demo pages, filled in the same way
//   POST /demo/echo   the CMS form's handler: echoes what the form submitted
//   /kit/*            dist/ (the built kit: elements, LiveStore workers, service worker)
//   /demo/*           demo/ (other demo files)
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToken } from './backend.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

const STORE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Sends a file with its content type; false when there is no such file. */
export async function sendFile(res, file) {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    // Lets the kit's service worker, served from /kit/, control the whole site and answer /files/*.
    ...(path.basename(file) === 'service-worker.js' ? { 'service-worker-allowed': '/' } : {}),
  });
  createReadStream(file).pipe(res);
  return true;
}

/** Resolves `relative` inside `dir`, or undefined when it would escape it. */
export function inside(dir, relative) {
  const full = path.resolve(dir, '.' + path.posix.normalize('/' + decodeURIComponent(relative)));
  return full.startsWith(dir + path.sep) || full === dir ? full : undefined;
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The fields of a urlencoded form post (the kit's upload controls submit file ids, not bytes). */
async function formFields(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 1_000_000) throw new Error('form too large');
  }
  return [...new URLSearchParams(body)];
}

/** What the CMS form submitted, as the page of a CMS would show it: the cover and attachments by file id. */
function echoPage(fields) {
  const rows = fields.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd><code>${escapeHtml(value)}</code></dd>`).join('');
  const cover = fields.find(([name]) => name === 'cover')?.[1];
  const attachments = fields.filter(([name]) => name === 'attachments').map(([, id]) => `<li><ls-file-image file-id="${escapeHtml(id)}" alt=""></ls-file-image></li>`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Submitted</title>
    <link rel="icon" href="data:," />
    <script type="module" src="/kit/ls-file-sync.js"></script>
    <link rel="stylesheet" href="/demo/demo.css" />
  </head>
  <body>
    <h1>The form submitted</h1>
    <dl id="fields">${rows}</dl>
    <ls-file-sync endpoint="{{LS_ENDPOINT}}" store-id="{{LS_STORE_ID}}" token="{{LS_TOKEN}}">
      ${cover ? `<h2>Cover</h2><ls-file-image id="cover" file-id="${escapeHtml(cover)}" alt="Cover image" style="max-width: 100%"></ls-file-image>` : ''}
      ${attachments.length ? `<h2>Attachments</h2><ul>${attachments.join('')}</ul>` : ''}
    </ls-file-sync>
    <footer><a href="/demo/article.html?store={{LS_STORE_ID}}">Write another article</a></footer>
  </body>
</html>`;
}

export function startDemoServer({ port = 5173, backendUrl, kitDir = path.join(root, 'dist') }) {
  const demoDir = path.join(root, 'demo');
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      const page = url.pathname === '/' || url.pathname === '/index.html' ? 'index.html' : /^\/demo\/([a-z-]+\.html)$/.exec(url.pathname)?.[1];
      const storeId = url.searchParams.get('store') ?? 'demo';
      if ((page || url.pathname === '/demo/echo') && !STORE_ID.test(storeId)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('store must match [A-Za-z0-9_-]{1,128}');
        return;
      }
      const fill = async (html) =>
        html.replaceAll('{{LS_ENDPOINT}}', backendUrl).replaceAll('{{LS_STORE_ID}}', storeId).replaceAll('{{LS_TOKEN}}', await devToken(storeId));
      if (url.pathname === '/demo/echo' && req.method === 'POST') {
        const fields = await formFields(req);
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(await fill(echoPage(fields)));
        return;
      }
      if (page) {
        const html = await readFile(path.join(demoDir, page), 'utf8').catch(() => undefined);
        if (html !== undefined) {
          res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(await fill(html));
          return;
        }
      }
      const [dir, rest] = url.pathname.startsWith('/kit/')
        ? [kitDir, url.pathname.slice(5)]
        : url.pathname.startsWith('/demo/')
          ? [demoDir, url.pathname.slice(6)]
          : [];
      const file = dir && inside(dir, rest);
      if (file && (await sendFile(res, file))) return;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
