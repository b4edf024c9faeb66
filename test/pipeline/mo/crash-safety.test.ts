import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, outbox, passwordEvents } from '../../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../../src/sim/phone.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { crashSwitch } from '../../support/faults.js';

const crash = crashSwitch();
let t: TestGateway;
let phones: PhoneNetwork;

beforeAll(async () => {
  t = await startTestGateway({
    faults: crash.hooks,
  });
  await t.addLink('smsc', 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
});
afterAll(async () => { await phones?.close(); await t?.stop(); });

async function counts(msisdn: string) {
  const db = t.gw.db.db;
  const ops = await db.select().from(operations).where(eq(operations.msisdn, msisdn));
  const issued = await db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, msisdn));
  const replies = await db.select().from(outbox).where(eq(outbox.destination, msisdn));
  return { ops: ops.length, issued: issued.length, replies: replies.length };
}

describe('crash safety', () => {
  it('a job retried after a crash inside the transaction acts once', async () => {
    crash.arm('in-transaction');
    await phones.send('79170000001', '232', 'ON');
    const replies = await phones.waitFor('79170000001', 1, 15_000);
    expect(crash.crashes).toEqual(['in-transaction']); // the crash did happen
    await new Promise((r) => setTimeout(r, 800));
    expect(phones.inbox('79170000001')).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/Password: /);
    expect(await counts('79170000001')).toEqual({ ops: 1, issued: 1, replies: 1 });
  });

  it('a job retried after a crash between commit and relay acts once and its reply still goes out once', async () => {
    crash.arm('after-commit');
    await phones.send('79170000002', '232', 'ON');
    await phones.waitFor('79170000002', 1, 15_000);
    expect(crash.crashes).toEqual(['in-transaction', 'after-commit']);
    await new Promise((r) => setTimeout(r, 800));
    expect(phones.inbox('79170000002')).toHaveLength(1);
    expect(await counts('79170000002')).toEqual({ ops: 1, issued: 1, replies: 1 });
  });
});
