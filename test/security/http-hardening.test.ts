/**
 * Issue 10 items 8 and 9: operational endpoints stay off the subscriber port (an ops listener on 127.0.0.1 serves
 * them), and slow or too many HTTP clients are cut off. Real sockets where the behaviour is the server's.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { startWebGateway } from '../support/web-gateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startWebGateway({ env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_IDLE_TIMEOUT_MS: '5000', HTTP_MAX_CONNECTIONS: '3' }, link: false });
});
afterAll(async () => { await t?.stop(); });

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: Socket) => new Promise<string>((resolve) => {
  let got = '';
  s.on('data', (d) => { got += d.toString('latin1'); });
  s.on('error', () => {});
  s.once('close', () => resolve(got));
});

describe('operational endpoints', () => {
  it('are not served on the subscriber port', async () => {
    for (const url of ['/metrics', '/admin/docs', '/admin/openapi.json']) {
      const res = await fetch(`http://127.0.0.1:${t.gw.httpPort}${url}`);
      expect(res.status, url).toBe(404);
    }
  });

  it('are served on the ops listener, with health', async () => {
    expect(t.gw.opsPort).toBeGreaterThan(0);
    const metrics = await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('scgw_smpp_sessions');
    expect((await fetch(`http://127.0.0.1:${t.gw.opsPort}/admin/openapi.json`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${t.gw.opsPort}/admin/docs`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${t.gw.opsPort}/readyz`)).status).toBe(200);
    // Health stays on the public port too: load balancers probe it there.
    expect((await fetch(`http://127.0.0.1:${t.gw.httpPort}/healthz`)).status).toBe(200);
  });

  it('binds the ops listener to 127.0.0.1 on 9090 unless told otherwise', () => {
    expect(parseConfig({}).ops).toEqual({ host: '127.0.0.1', port: 9090 });
  });
});

describe('slow and excess HTTP clients', () => {
  it('closes a connection whose body drips in slower than the request timeout allows', async () => {
    const s = await open(t.gw.httpPort);
    const done = closed(s);
    s.write('POST /password HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n');
    let dripped = 0;
    const drip = setInterval(() => { if (!s.destroyed) { s.write('a'); dripped++; } }, 100);
    const reply = await done;
    clearInterval(drip);
    expect(dripped).toBeLessThan(10000);
    expect(reply).toMatch(/^$|^HTTP\/1\.1 408/);
  }, 20_000);

  it('closes an idle connection that never sends a request', async () => {
    const s = await open(t.gw.httpPort);
    expect(await closed(s)).toMatch(/^$|^HTTP\/1\.1 408/);
  }, 20_000);

  it('refuses connections past HTTP_MAX_CONNECTIONS and accepts again once one closes', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await open(t.gw.httpPort);
      const first = new Promise<string>((r) => s.once('data', (d) => r(d.toString('latin1'))));
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await first).toMatch(/^HTTP\/1\.1 200/);
      held.push(s);
    }
    const extra = await open(t.gw.httpPort);
    const extraClosed = closed(extra);
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extraClosed).toBe('');
    const goneFirst = closed(held[0]!);
    held[0]!.destroy();
    await goneFirst;
    // The server counts the close when it sees it: retry until it has.
    await eventually(() => fetch(`http://127.0.0.1:${t.gw.httpPort}/healthz`).then((r) => r.status === 200, () => false), 5000, 'a new connection accepted');
    for (const s of held) s.destroy();
  }, 20_000);
});
