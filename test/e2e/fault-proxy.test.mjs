// The tests' own fault proxy must inject only the faults it is told to: a fault that leaves a connection
// unusable for good fails the chaos run for a reason no browser meets (docs/reliability.md, the twenty-fifth
// session). Checked here with Node's kept-alive client, which reuses a connection as Chromium does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Agent, request } from 'node:http';
import { connect } from 'node:net';
import { startFaultProxy } from '../support/fault-proxy.mjs';
import { within } from './support.mjs';

const BODY = 'a small file';

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body, socket: req.socket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a cut past the end of a small body passes it whole, and the next request on the same connection is answered', async (t) => {
  const target = createServer((req, res) => res.writeHead(200, { 'content-length': String(BODY.length) }).end(BODY));
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  const proxy = await startFaultProxy({ target: `http://127.0.0.1:${target.address().port}` });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(async () => {
    agent.destroy();
    await proxy.stop();
    await new Promise((resolve) => target.close(resolve));
  });

  proxy.setRules([{ method: 'GET', path: '^/cut', action: 'cut', afterBytes: 2048, times: 1 }]);
  const cut = await within(get(`${proxy.url}/cut`, agent), 5_000, 'the answer to the request with a cut longer than its body');
  assert.deepEqual({ status: cut.status, body: cut.body }, { status: 200, body: BODY });
  const next = await within(get(`${proxy.url}/next`, agent), 5_000, 'the answer to the next request on the same connection');
  assert.equal(next.socket, cut.socket, 'the connection was kept alive and reused');
  assert.deepEqual({ status: next.status, body: next.body }, { status: 200, body: BODY });
});

/** Sends `head` on a new connection to `url`; resolves with what came back once the other side ends the connection. */
function rawExchange(url, head, { then } = {}) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
      then?.(socket, received);
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

const upgradeTo = (path) => `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n`;

test('a refused WebSocket upgrade is answered and its connection ended, so no later request reaches the backend on it', async (t) => {
  // A backend that answers an upgrade it refuses as a plain request (401), keeping the connection, as workerd does.
  const target = createServer((req, res) => res.writeHead(401, { 'content-length': '7' }).end('refused'));
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  const proxy = await startFaultProxy({ target: `http://127.0.0.1:${target.address().port}` });
  t.after(async () => {
    await proxy.stop();
    await new Promise((resolve) => target.close(resolve));
  });

  // Resolves only once the proxy ends the connection.
  const received = await within(rawExchange(proxy.url, upgradeTo('/sync')), 5_000, 'the refused upgrade to be answered and its connection ended');
  assert.match(received, /^HTTP\/1\.1 401 /);
  assert.match(received, /\r\nconnection: close\r\n/i);
  assert.ok(received.endsWith('\r\n\r\nrefused'), `the backend's body passed whole: ${JSON.stringify(received)}`);
});

test('an accepted WebSocket upgrade carries bytes both ways', async (t) => {
  const target = createServer();
  target.on('upgrade', (req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n');
    socket.on('data', (chunk) => socket.end(`echo ${chunk}`));
  });
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  const proxy = await startFaultProxy({ target: `http://127.0.0.1:${target.address().port}` });
  t.after(async () => {
    await proxy.stop();
    await new Promise((resolve) => target.close(resolve));
  });

  let sent = false;
  const received = await within(
    rawExchange(proxy.url, upgradeTo('/sync'), {
      then: (socket, sofar) => {
        if (!sent && sofar.includes('\r\n\r\n')) {
          sent = true;
          socket.write('ping');
        }
      },
    }),
    5_000,
    'the upgraded connection to echo a message',
  );
  assert.match(received, /^HTTP\/1\.1 101 /);
  assert.ok(received.endsWith('\r\n\r\necho ping'), JSON.stringify(received));
});
