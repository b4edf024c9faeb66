/**
 * Redis runs with maxmemory-policy noeviction, so a full Redis refuses writes: every MO must then be refused
 * (ESME_RMSGQFUL, the peer retries later), never acked; once memory is freed MO flow again.
 * A private redis-server on a free loopback port (never the shared one).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startOwnRedis } from '../support/redis-server.js';
import { testServices } from '../support/services.js';
import { eventually, startTestGateway } from '../support/gateway.js';
import { CMD, rawPdu, submitSmBody } from '../support/smpp-peer.js';
import { bindFrom } from './smpp-support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

describe('a full Redis (noeviction)', () => {
  it('refuses every MO with ESME_RMSGQFUL while full, and takes MO again once memory is freed', async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    // maxmemory is set once the gateway runs, 1 MiB above what it then uses: its own footprint (connections,
    // scripts, queues) is near 2 MiB, so a fixed small limit left it only a few KB of room once the fill was freed.
    const server = await startOwnRedis(['--appendonly', 'no', '--maxmemory-policy', 'noeviction']);
    cleanups.push(() => server.cleanup());
    const port = server.port;
    const t = await startTestGateway({ svc: { ...svc, redisUrl: `redis://127.0.0.1:${port}` } });
    cleanups.push(() => t.stop());
    await t.addLink('smsc', 'pw');
    // A transmitter: no reply comes back on this socket, and nothing runs in the background while Redis is full.
    const peer = await bindFrom(t.gw.smppPort, 'smsc', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    expect(peer.resp.commandStatus).toBe(0);
    cleanups.push(() => { peer.socket.destroy(); });
    let seq = 1;
    const mo = async (from: string, text: string, udh?: Buffer) => {
      peer.socket.write(rawPdu(CMD.submit_sm, ++seq, submitSmBody({
        source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232' }, esmClass: udh ? 0x40 : 0,
        shortMessage: udh ? Buffer.concat([udh, Buffer.from(text)]) : Buffer.from(text),
      })));
      const resp = await peer.pdus.next(10_000);
      expect([resp.commandId, resp.sequenceNumber]).toEqual([CMD.submit_sm_resp, seq]);
      return resp.commandStatus;
    };

    const filler = new Redis({ port, maxRetriesPerRequest: 0 });
    cleanups.push(() => { filler.disconnect(); });
    const memory = async (field: 'used_memory' | 'maxmemory') => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(await filler.info('memory'))?.[1]);
    const used = await memory('used_memory');
    expect(used).toBeGreaterThan(0);
    await filler.config('SET', 'maxmemory', String(used + 1024 * 1024));

    // Fill it: 16 KB values until Redis says OOM. A refused SET frees its arguments again, and Redis lets a
    // script that starts under maxmemory write on past it, so one script then writes 256 KB more: Redis is
    // now well over maxmemory and refuses every write until memory is freed.
    let n = 0;
    const value = 'x'.repeat(16 * 1024);
    await expect((async () => { for (;;) await filler.set(`filler:${n++}`, value); })()).rejects.toThrow(/OOM/);
    await filler.eval(`for i = 1, 256 do redis.call('SET', 'over:' .. i, string.rep('x', 1024)) end`, 0).catch(() => {});
    expect(await filler.set('probe', '1').catch((e: Error) => e.message)).toMatch(/OOM/);

    const statuses = [await mo('79320000002', 'help'), await mo('79320000003', 'on'),
      await mo('79320000004', 'part', Buffer.from([0x05, 0x00, 0x03, 9, 2, 1]))];
    expect(statuses).toEqual([0x14, 0x14, 0x14]);

    for (let i = 0; i < n; i++) await filler.del(`filler:${i}`);
    for (let i = 1; i <= 256; i++) await filler.del(`over:${i}`);
    expect(await mo('79320000005', 'help')).toBe(0);
    // A part takes a script that writes more than a job does: on a busy box Redis may still sit near its limit a
    // moment longer (its own freeing is lazy), so the part is offered until it is taken, from a new sender each time.
    let k = 6;
    const tried: number[] = [];
    await eventually(async () => {
      tried.push(await mo(`7932000${String(k++).padStart(4, '0')}`, 'part', Buffer.from([0x05, 0x00, 0x03, 9, 2, 1])));
      return tried.at(-1) === 0;
    }, 15_000, 'a part to be taken again').catch(async (e: Error) => {
      throw new Error(`${e.message}: statuses ${[...new Set(tried)].map((x) => `0x${x.toString(16)}`).join(', ')} over ${tried.length} tries; Redis used_memory ${await memory('used_memory')} of ${await memory('maxmemory')}`, { cause: e });
    });
  });
});
