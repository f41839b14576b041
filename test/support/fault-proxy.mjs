// A fault-injecting HTTP proxy for tests, on 127.0.0.1, between the browser and the local backend.
// Faults are injected on purpose and counted. Control it over HTTP (so browser tests can too):
//   POST /__faults  { rules: [Rule] }   replaces the rules
//   GET  /__faults                      { injected: { kind: count }, log: [{ method, path, status, at, detail? }] }
//                                       (detail: the start of the backend's own answer when it is a 5xx)
//   DELETE /__faults                    clears rules, counts and log
// Rule: { method?, path? (regex), times? (default unlimited), rate? (0-1, default 1: the share of matching
// requests it takes), action, ... } with action one of
//   'status'  { status, retryAfter? }   answer with this status instead of forwarding
//   'refuse'                            destroy the connection without an answer
//   'stall'   { ms }                    hold the request, then forward it
//   'hold-answer' { ms }                forward, but hold the backend's answer ms before passing it on (the
//                                       backend has done the work; the client does not know yet)
//   'cut'     { afterBytes }            forward, but end the response body after afterBytes bytes (a shorter body
//                                       passes whole)
//   'cut-request' { afterBytes }        forward, but drop the connection after afterBytes of the request body
//   'corrupt'                           forward, flipping one byte in the middle of the response body
// WebSocket upgrades (LiveStore sync) are piped through untouched unless a rule matches them; one the backend
// refuses is answered and its connection ended (kept, it would go on past the proxy to the backend).
import { createServer, request as httpRequest } from 'node:http';

/**
 * The path a request is about, for rules and the log: at a store's one file route (`…/file`, the file named in
 * `x-file-path`: src/core/wire.ts) the file's own path, as the worker reads it, so that rules and tests match
 * a file's requests however the kit addresses them.
 */
const named = (req) => {
  const header = req.headers['x-file-path'];
  const match = /^(\/api\/stores\/[^/]+)\/file$/.exec(req.url);
  return match && typeof header === 'string' ? `${match[1]}/files/${header}` : req.url;
};

/** Raw header pairs ([name, value, name, value…]) as the lines of a message head, each ended. */
const headerLines = (raw) => raw.reduce((lines, item, i) => (i % 2 === 0 ? `${lines}${item}: ` : `${lines}${item}\r\n`), '');

export function startFaultProxy({ target, port = 0 }) {
  const upstream = new URL(target);
  let rules = [];
  let injected = {};
  // The same counts with the status code named ("status 503"), for reports.
  let kinds = {};
  let log = [];

  const take = (req) => {
    const rule = rules.find(
      (r) =>
        (r.times ?? Infinity) > 0 &&
        (!r.method || r.method === req.method) &&
        (!r.path || new RegExp(r.path).test(named(req))) &&
        (r.rate === undefined || Math.random() < r.rate),
    );
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    injected[rule.action] = (injected[rule.action] ?? 0) + 1;
    const kind = rule.action === 'status' ? `status ${rule.status}` : rule.action;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    return rule;
  };

  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'content-type' };

  const control = async (req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      rules = JSON.parse(body).rules ?? [];
    } else if (req.method === 'DELETE') {
      rules = [];
      injected = {};
      kinds = {};
      log = [];
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ injected, log, rules }));
  };

  const timers = new Set();
  const forward = (req, res, rule, entry = { method: req.method, path: named(req), status: 0, fault: rule?.action, at: Date.now() }) => {
    if (!log.includes(entry)) log.push(entry);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        entry.status = up.statusCode;
        // The backend's own server errors (the local runtime answers 503 at times under load) say why in the
        // log, for the test that meets one.
        if (up.statusCode >= 500 && rule?.action !== 'hold-answer') {
          let detail = '';
          up.on('data', (chunk) => detail.length < 300 && (detail += chunk.toString('utf8', 0, 300)));
          up.on('end', () => (entry.detail = detail.slice(0, 300)));
        }
        if (rule?.action === 'hold-answer') {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (res.destroyed) return void up.destroy();
            res.writeHead(up.statusCode, up.headers);
            up.pipe(res);
          }, rule.ms);
          timers.add(timer);
          res.on('close', () => up.destroy());
          return;
        }
        res.writeHead(up.statusCode, up.headers);
        // The backend gone in the middle of its answer (its restart): the client sees the connection cut,
        // as it would have without the proxy, rather than a response that never ends.
        up.on('error', () => res.destroy());
        if (rule?.action === 'cut') {
          let sent = 0;
          up.on('data', (chunk) => {
            const room = rule.afterBytes - sent;
            if (room <= 0) return;
            res.write(room >= chunk.length ? chunk : chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= rule.afterBytes) {
              up.destroy();
              res.destroy();
            }
          });
          // A body shorter than the cut passes whole and its response ends. Left open, it held the
          // connection: the browser, with every byte it expected, sent its next request on it (a CORS
          // preflight, which no script can abort), and Node queued that request's answer behind the open
          // one for good. Six such connections and the browser reached this host no more (docs/reliability.md).
          up.on('end', () => sent < rule.afterBytes && res.end());
          return;
        }
        if (rule?.action === 'corrupt') {
          const total = Number(up.headers['content-length'] ?? 0);
          const at = Math.floor(total / 2);
          let offset = 0;
          up.on('data', (chunk) => {
            if (at >= offset && at < offset + chunk.length) {
              chunk = Buffer.from(chunk);
              chunk[at - offset] ^= 0xff;
            }
            offset += chunk.length;
            res.write(chunk);
          });
          up.on('end', () => res.end());
          return;
        }
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    if (rule?.action === 'cut-request') {
      let sent = 0;
      req.on('data', (chunk) => {
        if (sent >= rule.afterBytes) return;
        const room = rule.afterBytes - sent;
        out.write(room >= chunk.length ? chunk : chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= rule.afterBytes) {
          out.destroy();
          req.socket.destroy();
        }
      });
      req.on('end', () => sent < rule.afterBytes && out.end());
      return;
    }
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (req.url.startsWith('/__faults')) return void control(req, res);
    const rule = req.method === 'OPTIONS' ? undefined : take(req);
    if (rule?.action === 'status') {
      log.push({ method: req.method, path: named(req), status: rule.status, fault: 'status', at: Date.now() });
      req.resume();
      res.writeHead(rule.status, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'Retry-After',
        ...(rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {}),
      });
      return void res.end(JSON.stringify({ error: { code: 'injected', message: `injected ${rule.status}` } }));
    }
    if (rule?.action === 'refuse') {
      log.push({ method: req.method, path: named(req), status: 0, fault: 'refuse', at: Date.now() });
      return void req.socket.destroy();
    }
    if (rule?.action === 'stall') {
      // A client that gives up during the stall closed its connection: its request never reaches the backend.
      let gone = false;
      res.on('close', () => (gone = true));
      const entry = { method: req.method, path: named(req), status: 0, fault: 'stall', at: Date.now() };
      log.push(entry);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!gone) forward(req, res, undefined, entry);
      }, rule.ms);
      timers.add(timer);
      return;
    }
    forward(req, res, rule);
  });

  server.on('upgrade', (req, socket, head) => {
    const rule = take(req);
    if (rule) return void socket.destroy();
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } });
    const close = () => socket.destroy();
    socket.on('error', close);
    socket.on('close', () => out.destroy());
    out.on('error', close);
    out.on('upgrade', (up, upSocket, upHead) => {
      socket.write(`HTTP/1.1 101 ${up.statusMessage}\r\n${headerLines(up.rawHeaders)}\r\n`);
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      upSocket.on('error', close);
      upSocket.on('close', close);
      socket.on('close', () => upSocket.destroy());
    });
    // Refused (a bad token, say): the answer is passed on and the connection ends with it. Piped through as
    // the socket was, it stayed a line to the backend, and WebKit sent its next requests on it, this proxy's
    // own report among them (answered 404 by the backend).
    out.on('response', async (up) => {
      try {
        const body = [];
        for await (const chunk of up) body.push(chunk);
        const bytes = Buffer.concat(body);
        const kept = [];
        for (let i = 0; i < up.rawHeaders.length; i += 2) {
          if (!/^(connection|keep-alive|transfer-encoding|content-length)$/i.test(up.rawHeaders[i])) kept.push(up.rawHeaders[i], up.rawHeaders[i + 1]);
        }
        const answer = `HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n${headerLines(kept)}content-length: ${bytes.length}\r\nconnection: close\r\n\r\n`;
        socket.end(Buffer.concat([Buffer.from(answer), bytes]));
      } catch {
        close();
      }
    });
    out.end();
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        setRules: (next) => {
          rules = next;
        },
        report: () => ({ injected: { ...injected }, kinds: { ...kinds }, log: [...log] }),
        reset: () => {
          rules = [];
          injected = {};
          kinds = {};
          log = [];
        },
        stop: () =>
          new Promise((r) => {
            for (const timer of timers) clearTimeout(timer);
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}
