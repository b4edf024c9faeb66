import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src/log.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

// Issue 10 item 2: drizzle's DrizzleQueryError message carries every bound parameter, so a failed query
// logged the reply text ("Your password: …") and the msisdn on every retry.
const lines: string[] = [];
const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
const logged = (msg: string) => lines.filter((l) => (JSON.parse(l) as { msg?: string }).msg === msg);

let t: TestGateway;
let phones: PhoneNetwork;
beforeAll(async () => {
  t = await startTestGateway({ log: createRootLogger('info', sink) });
  await t.addLink('smsc', 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
});
afterAll(async () => { await phones?.close(); await t?.stop(); });

describe('a failed query never logs its parameters', () => {
  it('logs the MO job failure with SQLSTATE and table, without the reply text or the msisdn', async () => {
    const db = t.gw.db.db;
    // Every reply insert fails (check_violation, 23514): the MO job fails and is retried.
    await db.execute(sql`alter table outbox add constraint test_refuse_replies check (false) not valid`);
    try {
      await phones.send('79161234567', '232', 'ON');
      const failures = await eventually(() => { const f = logged('mo job failed; will retry'); return f.length > 0 && f; }, 15_000, 'a failed MO job');
      const line = failures[0]!;
      expect(line).toContain('23514');
      expect(line).toContain('outbox');
      expect(line).toContain('test_refuse_replies');
    } finally {
      await db.execute(sql`alter table outbox drop constraint test_refuse_replies`);
    }
    const all = lines.join('\n');
    expect(all).not.toContain('79161234567');
    expect(all).not.toMatch(/params:/);
    expect(all).not.toMatch(/password: [a-z0-9]{4,}/i);
    // BullMQ keeps the failure's message and stack in the job's hash: no parameters there either.
    const redis = new Redis(t.svc.redisUrl);
    try {
      const stored: string[] = [];
      for (const key of await redis.keys(`${t.svc.prefix}:mo:*`)) {
        if ((await redis.type(key)) !== 'hash') continue;
        const [reason, stack] = await redis.hmget(key, 'failedReason', 'stacktrace');
        if (reason) stored.push(reason, stack ?? '');
      }
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.join('\n')).not.toMatch(/params:|Password: [a-z0-9]{4,}/i);
    } finally {
      redis.disconnect();
    }
  });

  it('logs a failed admin request (web/errors.ts) without the link passwords', async () => {
    const db = t.gw.db.db;
    await db.execute(sql`alter table links add constraint test_refuse_links check (false) not valid`);
    try {
      const res = await t.gw.app!.inject({
        method: 'POST', url: '/admin/links', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'opco', direction: 'connect', host: '127.0.0.1', port: 2775, remoteSystemId: 'scgw', remotePassword: 'Tr0ub4dr' }),
      });
      expect(res.statusCode).toBe(500);
    } finally {
      await db.execute(sql`alter table links drop constraint test_refuse_links`);
    }
    const line = await eventually(() => logged('request failed')[0], 5_000, 'the request failure');
    expect(line).toContain('23514');
    expect(line).toContain('links');
    const all = lines.join('\n');
    expect(all).not.toContain('Tr0ub4dr');
    expect(all).not.toContain('scrypt$');
  });
});
