/**
 * The bounded backlog between ack and reply (issue 13 item 6): past MO_BACKLOG_MAX MO waiting to be acted on,
 * or MT_BACKLOG_PER_LINK replies waiting for a link, intake answers ESME_RTHROTTLED and the SMSC holds the
 * excess; once the workers catch up, MO are taken again. Real Redis, real SMPP over loopback.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createBacklogGuard } from '../../../src/pipeline/mo/backlog.js';
import { createQueues } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { eventually, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { testServices, type TestServices } from '../../support/services.js';
import { CMD, rawPdu, submitSmBody } from '../../support/smpp-peer.js';
import { bindFrom, type Bound } from '../../security/smpp-support.js';

const RTHROTTLED = 0x58;
const stops: Array<() => Promise<void>> = [];
afterAll(async () => { for (const s of stops.reverse()) await s(); });

let seq = 10;
async function mo(peer: Bound, from: string): Promise<number> {
  peer.socket.write(rawPdu(CMD.submit_sm, ++seq, submitSmBody({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('help') })));
  const resp = await peer.pdus.next(10_000);
  expect(resp.commandId).toBe(CMD.submit_sm_resp);
  return resp.commandStatus;
}

describe('bounded backlog', () => {
  it('answers ESME_RTHROTTLED once MO_BACKLOG_MAX MO wait, and takes MO again when workers drain them', async () => {
    const svc: TestServices = await testServices();
    stops.push(() => svc.cleanup());
    // A listener without workers: every accepted MO waits in the mo queue.
    const front: TestGateway = await startTestGateway({ svc, env: { ROLES: 'listener,web', MO_BACKLOG_MAX: '5', BACKLOG_POLL_MS: '20' } });
    stops.push(() => front.stop());
    await front.addLink('smsc', 'pw', { moRatePerSecond: null } as never);
    const peer = await bindFrom(front.gw.smppPort, 'smsc', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    expect(peer.resp.commandStatus).toBe(0);
    const statuses: number[] = [];
    for (let i = 0; i < 500 && !statuses.includes(RTHROTTLED); i++) statuses.push(await mo(peer, `7932${String(i).padStart(7, '0')}`));
    expect(statuses).toContain(RTHROTTLED);
    expect(statuses.filter((s) => s !== 0 && s !== RTHROTTLED)).toEqual([]);
    const accepted = statuses.filter((s) => s === 0).length;
    expect(accepted).toBeGreaterThanOrEqual(5);
    // Still refused while nothing drains (asked at a quiet point: no worker runs anywhere).
    expect(await mo(peer, '79329999998')).toBe(RTHROTTLED);
    // Workers join: the backlog drains and MO are taken again.
    const back = await startTestGateway({ svc, env: { ROLES: 'workers' } });
    stops.push(() => back.stop());
    await eventually(async () => (await mo(peer, '79329999999')) === 0, 30_000, 'an MO accepted after the drain');
    peer.socket.destroy();
  });

  it("bounds each link's waiting replies on its own: a full link is throttled, another is not", async () => {
    const svc = await testServices();
    stops.push(() => svc.cleanup());
    const redis = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), maxRetriesPerRequest: null });
    const queues = createQueues(redis, svc.prefix);
    stops.push(async () => { await queues.close(); redis.disconnect(); });
    const guard = createBacklogGuard({ queues, links: () => ['full', 'free'], limits: { moMax: 1000, mtPerLink: 3, pollMs: 20 }, log: pino({ level: 'silent' }) });
    stops.push(async () => guard.close());
    expect(() => guard.check('full')).not.toThrow();
    await queues.mt('full').addBulk([1, 2, 3].map((i) => ({ name: 'mt', data: { outboxId: i } as never })));
    await eventually(() => guard.counts().mt.get('full') === 3, 10_000, 'the poll to see 3 replies');
    expect(() => guard.check('full')).toThrow(expect.objectContaining({ code: 'SCGW_BACKLOG_FULL' }));
    expect(() => guard.check('free')).not.toThrow();
    await queues.mt('full').obliterate({ force: true });
    await eventually(() => guard.counts().mt.get('full') === 0, 10_000, 'the poll to see the drain');
    expect(() => guard.check('full')).not.toThrow();
  });
});
