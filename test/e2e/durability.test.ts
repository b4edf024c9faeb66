import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmppClient } from '../../src/smpp/client.js';
import { createPhoneNetwork } from '../../src/sim/phone.js';
import { testServices } from '../support/services.js';
import { eventually, startTestGateway } from '../support/gateway.js';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
  await eventually(async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try { await r.connect(); return (await r.ping()) === 'PONG'; } catch { return false; } finally { r.disconnect(); }
  }, 10_000, 'redis-server to answer');
  return p;
}

describe('durability', () => {
  it('a reply waits while the link has no receiving session, survives a gateway restart, and goes out when the peer binds again', async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    const first = await startTestGateway({ svc });
    await first.addLink('smsc', 'pw');
    // A transmitter-only bind can send MO but cannot take deliver_sm: the reply must wait.
    const tx = createSmppClient({ host: '127.0.0.1', port: first.gw.smppPort, systemId: 'smsc', password: 'pw', bindKind: 'transmitter', log: silent, window: 10, responseTimeoutMs: 5000 });
    await tx.connect();
    const resp = await tx.submit({ source: { addr: '79180000001', ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0, dataCoding: 0, shortMessage: Buffer.from('ON') });
    expect(resp.status).toBe(0);
    await eventually(async () => {
      const r = await first.gw.db.db.execute(`select count(*)::int as n from outbox where destination = '79180000001' and relayed_at is not null` as never) as unknown as Array<{ n: number }>;
      return r[0]!.n === 1;
    }, 10_000, 'the reply to be queued');
    await tx.close();
    await first.stop();

    const second = await startTestGateway({ svc });
    cleanups.push(() => second.stop());
    const phones = createPhoneNetwork({ host: '127.0.0.1', port: second.gw.smppPort, systemId: 'smsc', password: 'pw' });
    await phones.connect();
    cleanups.push(() => phones.close());
    const [reply] = await phones.waitFor('79180000001', 1, 15_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password: [a-z0-9]{10}\./);
    await new Promise((r) => setTimeout(r, 500));
    expect(phones.inbox('79180000001')).toHaveLength(1);
  });

  it('never acks an MO while Redis is unreachable: the peer gets ESME_RMSGQFUL and can retry later', async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'scgw-redis-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let redis = await startRedis(port, dir);
    cleanups.push(() => { redis.kill('SIGKILL'); });
    const t = await startTestGateway({ svc: { ...svc, redisUrl: `redis://127.0.0.1:${port}` }, env: { ENQUEUE_TIMEOUT_MS: '500' } });
    cleanups.push(() => t.stop());
    await t.addLink('smsc', 'pw');
    const phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
    await phones.connect();
    cleanups.push(() => phones.close());
    expect((await phones.send('79180000002', '232', 'hello'))[0]!.status).toBe(0);
    await phones.waitFor('79180000002');

    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await phones.send(`7918000001${i}`, '232', 'hello'))[0]!.status);
    expect(statuses.every((s) => s === 0x14 || s === 0x08)).toBe(true);
    expect(statuses).not.toContain(0);

    redis = await startRedis(port, dir);
    const again = await eventually(async () => {
      const [r] = await phones.send('79180000020', '232', 'hello');
      return r!.status === 0 ? r : null;
    }, 20_000, 'MO to be accepted again after Redis came back');
    expect(again.status).toBe(0);
    await phones.waitFor('79180000020', 1, 20_000);
  });
});
