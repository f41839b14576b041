// A small static server for the demo pages and the kit's build output, on 127.0.0.1 only.
//   /            demo/index.html, with a development token for the store (`?store=`, default `demo`)
//   /kit/*       dist/ (the built kit: elements, LiveStore workers, service worker)
//   /demo/*      demo/ (other demo files)
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
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

const STORE_ID = /^[A-Za-z0-9_-]{1,128}$/;

async function sendFile(res, file) {
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
function inside(dir, relative) {
  const full = path.resolve(dir, '.' + path.posix.normalize('/' + decodeURIComponent(relative)));
  return full.startsWith(dir + path.sep) || full === dir ? full : undefined;
}

export function startDemoServer({ port = 5173, backendUrl, kitDir = path.join(root, 'dist') }) {
  const demoDir = path.join(root, 'demo');
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const storeId = url.searchParams.get('store') ?? 'demo';
        if (!STORE_ID.test(storeId)) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('store must match [A-Za-z0-9_-]{1,128}');
          return;
        }
        const page = (await readFile(path.join(demoDir, 'index.html'), 'utf8'))
          .replaceAll('{{LS_ENDPOINT}}', backendUrl)
          .replaceAll('{{LS_STORE_ID}}', storeId)
          .replaceAll('{{LS_TOKEN}}', await devToken(storeId));
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(page);
        return;
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
