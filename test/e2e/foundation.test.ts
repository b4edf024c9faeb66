import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { operations, outbox, subscribers } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let phones: PhoneNetwork;

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink('smsc1', 'secret1');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  await phones.connect();
});
afterAll(async () => {
  await phones?.close();
  await t?.stop();
});

async function subscriber(msisdn: string) {
  const [row] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
  return row;
}

describe('MO to reply, end to end', () => {
  it('ON to 232 returns an archive password that verifies against the stored hash', async () => {
    const [resp] = await phones.send('79161234567', '232', 'ON');
    expect(resp!.status).toBe(0);
    const [reply] = await phones.waitFor('79161234567');
    expect(reply!.from).toBe('232');
    const m = /^SMS archive is on\. Password: ([a-z0-9]+)\. Read your messages at \S+\/archive$/.exec(reply!.text);
    expect(m, reply!.text).not.toBeNull();
    const password = m![1]!;
    expect(password.length).toBeGreaterThanOrEqual(8);
    const row = await subscriber('79161234567');
    expect(row!.archiveOn).toBe(true);
    expect(await verifyPassword(password, row!.archivePasswordHash!)).toBe(true);
    const ops = await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79161234567'));
    expect(ops.map((o) => [o.action, o.channel, o.outcome])).toEqual([['archive.activate', 'sms', 'ok']]);
  });

  it('ПЕР in UCS-2 switches the archive on and answers in Russian', async () => {
    const [resp] = await phones.send('79161234568', '232', 'ПЕР', { encoding: 'ucs2' });
    expect(resp!.status).toBe(0);
    const [reply] = await phones.waitFor('79161234568');
    expect(reply!.text).toMatch(/^SMS-архив включён\. Пароль: [a-z0-9]{10}\./);
    expect(reply!.dataCoding).toBe(8);
    expect((await subscriber('79161234568'))!.archiveOn).toBe(true);
  });

  it('an unknown keyword gets exactly one help reply', async () => {
    await phones.send('79161234569', '232', 'hello there');
    const [reply] = await phones.waitFor('79161234569');
    expect(reply!.text).toMatch(/^SMS archive, 232: ON/);
    await new Promise((r) => setTimeout(r, 500));
    expect(phones.inbox('79161234569')).toHaveLength(1);
  });

  it('OFF to 232 switches the archive off', async () => {
    await phones.send('79161234570', '232', 'ON');
    await phones.waitFor('79161234570');
    await phones.send('79161234570', '232', 'стоп');
    const replies = await phones.waitFor('79161234570', 2);
    expect(replies[1]!.text).toBe('SMS-архив выключен.');
    expect((await subscriber('79161234570'))!.archiveOn).toBe(false);
  });

  it('25 to 111 issues a personal-account password; 1234 with empty text gets the MMS settings', async () => {
    await phones.send('79161234571', '111', '25');
    const [pw] = await phones.waitFor('79161234571');
    const password = /^Your password: ([a-z0-9]+)\./.exec(pw!.text)![1]!;
    expect(await verifyPassword(password, (await subscriber('79161234571'))!.accountPasswordHash!)).toBe(true);
    await phones.send('79161234572', '1234', '');
    const [mms] = await phones.waitFor('79161234572');
    expect(mms!.text).toMatch(/^MMS settings: APN mms\.operator/);
  });

  it('refuses an MO to a short code no route serves with ESME_RINVDSTADR', async () => {
    const [resp] = await phones.send('79161234573', '9999', 'ON');
    expect(resp!.status).toBe(0x0b);
  });

  it('50 concurrent subscribers each get exactly one reply', async () => {
    const numbers = Array.from({ length: 50 }, (_, i) => `7926000${String(i).padStart(4, '0')}`);
    const resps = await Promise.all(numbers.map((n) => phones.send(n, '232', 'ON')));
    expect(resps.flat().every((r) => r.status === 0)).toBe(true);
    await Promise.all(numbers.map((n) => phones.waitFor(n, 1, 20_000)));
    await new Promise((r) => setTimeout(r, 500));
    for (const n of numbers) expect(phones.inbox(n)).toHaveLength(1);
    const sent = await t.gw.db.db.select().from(outbox).where(eq(outbox.status, 'sent'));
    expect(sent.every((r) => r.body === null)).toBe(true);
  });

  it('a long reply goes out concatenated and arrives whole', async () => {
    await t.gw.db.db.execute(`update templates set body = repeat('Long help text. ', 20) where key = 'help.111' and locale = 'en'` as never);
    await t.gw.db.db.execute(`update config_state set version = version + 1` as never);
    await new Promise((r) => setTimeout(r, 600));
    await phones.send('79161234574', '111', 'what');
    const [reply] = await phones.waitFor('79161234574');
    expect(reply!.parts).toBe(3);
    expect(reply!.text).toBe('Long help text. '.repeat(20));
  });
});
