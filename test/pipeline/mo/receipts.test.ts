import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../../src/db/schema/index.js';
import { applyReceipt } from '../../../src/pipeline/mo/receipts.js';
import { testDb } from '../../support/db.js';

let t: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { t = await testDb(); });
afterAll(async () => { await t.close(); });

const at = new Date('2026-11-25T12:00:00Z');

async function sent(link: string, messageIds: string[]) {
  const [r] = await t.handle.db.insert(outbox).values({ idemKey: 'k', link, source: '232', destination: '79160000001', template: 'help.232', corr: 'c', status: 'sent', messageIds }).returning();
  return r!.id;
}
const state = async (id: number) => (await t.handle.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

describe('applyReceipt (multipart policy, PROTOCOL §4)', () => {
  it('is DELIVRD only once every segment is delivered', async () => {
    const id = await sent('l1', ['p1', 'p2']);
    expect(await applyReceipt(t.handle.db, 'l1', { id: 'P1', stat: 'DELIVRD' }, at)).toMatchObject({ matched: true, outboxId: id });
    expect((await state(id)).receiptState).toBeNull();
    await applyReceipt(t.handle.db, 'l1', { id: 'p2', stat: 'DELIVRD' }, at);
    expect(await state(id)).toMatchObject({ receiptState: 'DELIVRD', receiptAt: at, receiptParts: { p1: 'DELIVRD', p2: 'DELIVRD' } });
  });

  it('fails at the first final non-delivered segment', async () => {
    const id = await sent('l1', ['q1', 'q2', 'q3']);
    await applyReceipt(t.handle.db, 'l1', { id: 'q2', stat: 'EXPIRED' }, at);
    expect((await state(id)).receiptState).toBe('EXPIRED');
  });

  it('matches only the receipt\'s own link, and reports no match otherwise', async () => {
    await sent('l2', ['255']);
    expect(await applyReceipt(t.handle.db, 'l1', { id: 'ff', stat: 'DELIVRD' }, at)).toEqual({ matched: false });
    expect(await applyReceipt(t.handle.db, 'l2', { id: 'ff', stat: 'DELIVRD' }, at)).toMatchObject({ matched: true });
  });
});
