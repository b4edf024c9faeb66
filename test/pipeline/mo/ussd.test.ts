/**
 * The USSD step's idempotency at the pipeline level, where a job can be run again at will: real Postgres, Redis
 * and BullMQ queues, the seeded `*111#` menu, actOnUssd called as the mo worker calls it.
 */
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, passwordGenerator } from '../../../src/actions/index.js';
import { classifyDcs, DEFAULT_TEXT_OPTIONS } from '../../../src/text/index.js';
import { operations, outbox } from '../../../src/db/schema/index.js';
import type { AssembledMo } from '../../../src/pipeline/jobs.js';
import { createMoBatcher } from '../../../src/pipeline/mo/batch.js';
import { createOutboxMarks } from '../../../src/pipeline/outbox/marks.js';
import { createOutboxRelay } from '../../../src/pipeline/outbox/relay.js';
import { createQueues, type Queues } from '../../../src/pipeline/queues.js';
import { createRouteCache, type RouteCache } from '../../../src/pipeline/route-cache.js';
import { createUssdSessions } from '../../../src/pipeline/mo/ussd-sessions.js';
import { actOnUssd, type UssdDeps } from '../../../src/pipeline/mo/ussd.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { testDb } from '../../support/db.js';

let t: Awaited<ReturnType<typeof testDb>>;
let redis: Redis;
let queues: Queues;
let cache: RouteCache;
let deps: UssdDeps;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  t = await testDb();
  redis = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
  queues = createQueues(redis, t.svc.prefix);
  cache = await createRouteCache({ db: t.handle.db, log, pollMs: 60_000 });
  const marks = createOutboxMarks({ db: t.handle.db, log, everyMs: 60_000 });
  const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks, log });
  deps = {
    db: t.handle.db, cache, relay,
    ussd: createUssdSessions({ redis, prefix: t.svc.prefix }),
    exec: {
      db: t.handle.db, relay, batcher: createMoBatcher({ db: t.handle.db, log }),
      action: { now: () => new Date(), newPassword: passwordGenerator(10), hashPassword: (p: string) => hashPassword(p, 10), passwordsPerHour: 100, publicUrl: 'http://scgw.test', render: (k, l, v) => cache.current().render(k, l, v) },
    },
  };
});
afterAll(async () => { cache.close(); await queues.close(); redis.disconnect(); await t.close(); });

function mo(idemKey: string, msisdn: string, text: string): AssembledMo {
  return {
    idemKey, corr: idemKey, link: 'ussdgw', source: msisdn, destination: '111', dcs: 0, channel: 'ussd',
    decoded: { kind: 'text', text, dcs: classifyDcs(0, DEFAULT_TEXT_OPTIONS) },
  };
}

async function replies(msisdn: string) {
  const rows = await t.handle.db.select().from(outbox).where(eq(outbox.destination, msisdn)).orderBy(outbox.id);
  return rows.map((r) => ({ body: r.body, op: r.tlvs?.ussdServiceOp, its: r.tlvs?.itsSessionInfo }));
}

describe('USSD step idempotency', () => {
  it('an earlier step run again after the session moved on changes neither the replies nor the session', async () => {
    const msisdn = '79270000001';
    const S = 0x0b02;
    await actOnUssd(mo('k1', msisdn, '*111#'), { op: 0x01, session: S }, deps, log);
    await actOnUssd(mo('k2', msisdn, '2'), { op: 0x12, session: S + 2 }, deps, log);
    // k1 again (a stalled job re-run by BullMQ after k2 was acted on): already acted, only re-relayed.
    await actOnUssd(mo('k1', msisdn, '*111#'), { op: 0x01, session: S }, deps, log);
    await actOnUssd(mo('k3', msisdn, '2'), { op: 0x12, session: S + 4 }, deps, log);
    expect(await replies(msisdn)).toEqual([
      { body: expect.stringMatching(/^Services 111\n1\. /), op: 0x02, its: S },
      { body: expect.stringMatching(/^SMS archive\n/), op: 0x02, its: S + 2 },
      // Still in the archive submenu: "2" is "Turn off". Had k1 reset the session, it would be the archive menu again.
      { body: 'SMS archive is off.', op: 0x11, its: S + 5 },
    ]);
    const ops = await t.handle.db.select().from(operations).where(eq(operations.msisdn, msisdn));
    expect(ops.map((o) => [o.action, o.channel])).toEqual([['archive.deactivate', 'ussd']]);
  });

  it('a final step run again acts once', async () => {
    const msisdn = '79270000002';
    await actOnUssd(mo('f1', msisdn, '*111*1#'), { op: 0x01, session: 0x0100 }, deps, log);
    await actOnUssd(mo('f1', msisdn, '*111*1#'), { op: 0x01, session: 0x0100 }, deps, log);
    expect(await replies(msisdn)).toEqual([{ body: expect.stringMatching(/^Your password: /), op: 0x11, its: 0x0101 }]);
    const ops = await t.handle.db.select().from(operations).where(eq(operations.msisdn, msisdn));
    expect(ops).toHaveLength(1);
  });

  it('a session the gateway ends (end bit on a USSR confirm) gets no answer and is forgotten', async () => {
    const msisdn = '79270000003';
    await actOnUssd(mo('e1', msisdn, '*111#'), { op: 0x01, session: 0x2002 }, deps, log);
    await actOnUssd(mo('e2', msisdn, ''), { op: 0x12, session: 0x2005 }, deps, log);
    await actOnUssd(mo('e3', msisdn, '1'), { op: 0x12, session: 0x2006 }, deps, log);
    const got = await replies(msisdn);
    expect(got).toHaveLength(2);
    expect(got[1]).toEqual({ body: 'Session expired. Dial the code again.', op: 0x11, its: 0x2007 });
  });
});
