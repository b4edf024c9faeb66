import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsArchive } from '../../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../../src/sim/phone.js';
import { eventually, startTestGateway, type TestGateway } from '../../support/gateway.js';

let t: TestGateway;
let phones: PhoneNetwork;
let feed: PhoneNetwork;

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink('smsc1', 'secret1');
  await t.addLink('feed1', 'secret2', { archiveFeed: true });
  await new Promise((r) => setTimeout(r, 600)); // the links reach the config cache
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  feed = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'feed1', password: 'secret2' });
  await Promise.all([phones.connect(), feed.connect()]);
});
afterAll(async () => {
  await Promise.all([phones?.close(), feed?.close()]);
  await t?.stop();
});

const archive = (msisdn: string) => t.gw.db.db.select().from(smsArchive).where(eq(smsArchive.msisdn, msisdn)).orderBy(asc(smsArchive.id));

describe('SMS archive in the pipeline', () => {
  it('keeps ON itself and the reply, password masked, once the archive is on', async () => {
    await phones.send('79169000001', '232', 'ON');
    const [reply] = await phones.waitFor('79169000001');
    const rows = await eventually(async () => { const r = await archive('79169000001'); return r.length === 2 && r; }, 10_000, 'two archived messages');
    expect(rows.map((r) => [r.direction, r.peer, r.origin])).toEqual([['sent', '232', 'gateway'], ['received', '232', 'gateway']]);
    expect(rows[0]!.body).toBe('ON');
    const password = /Password: ([a-z0-9]+)\./.exec(reply!.text)![1]!;
    expect(rows[1]!.body).toMatch(/^SMS archive is on\. Password: ••••••••\. Read your messages at \S+\/archive$/);
    expect(rows.some((r) => r.body.includes(password))).toBe(false);
  });

  it('keeps later traffic to other short codes, and stops at OFF', async () => {
    await phones.send('79169000001', '111', '25');
    await phones.waitFor('79169000001', 2);
    await eventually(async () => (await archive('79169000001')).length === 4, 10_000, 'four archived');
    const rows = await archive('79169000001');
    expect(rows[2]!.body).toBe('25');
    expect(rows[3]!.body).toBe('Your password: ••••••••. Change it after your first login.');
    await phones.send('79169000001', '232', 'OFF');
    await phones.waitFor('79169000001', 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(await archive('79169000001')).toHaveLength(4);
  });

  it('keeps nothing for a number whose archive was never on', async () => {
    await phones.send('79169000002', '111', 'hello');
    await phones.waitFor('79169000002');
    await new Promise((r) => setTimeout(r, 500));
    expect(await archive('79169000002')).toHaveLength(0);
  });

  it('stores copies from an archive-feed link for the subscriber, any destination, and never answers them', async () => {
    await phones.send('79169000003', '232', 'ON');
    await phones.waitFor('79169000003');
    await eventually(async () => (await archive('79169000003')).length === 2, 10_000, 'ON archived');
    const [out] = await feed.send('79169000003', '79995550000', 'see you at seven');
    const [back] = await feed.send('79995550000', '79169000003', 'ok, at the station');
    expect([out!.status, back!.status]).toEqual([0, 0]);
    const rows = await eventually(async () => { const r = await archive('79169000003'); return r.length === 4 && r; }, 10_000, 'copies archived');
    // Two copies are two MO, run by concurrent jobs: stored in either order (sorted here by direction).
    expect(rows.slice(2).map((r) => [r.direction, r.peer, r.body, r.origin, r.link]).sort((a, b) => (b[0] ?? '').localeCompare(a[0] ?? ''))).toEqual([
      ['sent', '79995550000', 'see you at seven', 'feed', 'feed1'],
      ['received', '79995550000', 'ok, at the station', 'feed', 'feed1'],
    ]);
    expect(await archive('79995550000')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(feed.inbox('79169000003')).toHaveLength(0);
    expect(feed.inbox('79995550000')).toHaveLength(0);
  });
});
