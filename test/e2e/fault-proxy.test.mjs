// The tests' own fault proxy must inject only the faults it is told to: a fault that leaves a connection
// unusable for good fails the chaos run for a reason no browser meets (docs/reliability.md, the twenty-fifth
// session). Checked here with Node's kept-alive client, which reuses a connection as Chromium does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Agent, request } from 'node:http';
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
