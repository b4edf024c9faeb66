/**
 * Send API states (issue 11 item 3): the pure derivation (api-state.ts), the SQL function the outbox trigger uses
 * (checked to agree with it on every input), and the trigger itself on real PostgreSQL: states move forward only,
 * each stamped once, with exactly one callback row per state.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageState, partStates, stateRank, type ApiState } from '../../../src/db/queries/api-state.js';
import { markOutboxSent } from '../../../src/db/queries/outbox-marks.js';
import { apiCallbacks, apiMessages, outbox } from '../../../src/db/schema/index.js';
import { testDb } from '../../support/db.js';

const STATUSES = ['pending', 'sent', 'failed', null] as const;
const STATS = [null, 'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'junk'] as const;

describe('messageState', () => {
  it('maps the send outcome and the receipt to one state', () => {
    expect(messageState('pending', null)).toBe('queued');
    expect(messageState('sent', null)).toBe('sent');
    expect(messageState('sent', 'ENROUTE')).toBe('sent');
    expect(messageState('sent', 'ACCEPTD')).toBe('sent');
    expect(messageState('sent', 'DELIVRD')).toBe('delivered');
    expect(messageState('sent', 'EXPIRED')).toBe('expired');
    for (const s of ['UNDELIV', 'REJECTD', 'DELETED', 'UNKNOWN']) expect(messageState('sent', s)).toBe('failed');
    expect(messageState('failed', null)).toBe('failed');
    expect(messageState('failed', 'DELIVRD')).toBe('failed');
  });

  it('ranks queued below sent below every final state', () => {
    const finals: ApiState[] = ['delivered', 'failed', 'expired'];
    expect(stateRank('queued')).toBeLessThan(stateRank('sent'));
    for (const f of finals) expect(stateRank(f)).toBeGreaterThan(stateRank('sent'));
  });

  it('gives each segment its own receipt\'s state', () => {
    expect(partStates({ status: 'sent', messageIds: ['a', 'b'], receiptParts: { a: 'DELIVRD' }, segments: 2 }))
      .toEqual([{ seq: 1, state: 'delivered' }, { seq: 2, state: 'sent' }]);
    expect(partStates({ status: 'pending', messageIds: null, receiptParts: null, segments: null })).toEqual([{ seq: 1, state: 'queued' }]);
    expect(partStates({ status: 'failed', messageIds: ['a'], receiptParts: null, segments: 1 })).toEqual([{ seq: 1, state: 'failed' }]);
  });
});

let t: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { t = await testDb(); });
afterAll(async () => { await t?.close(); });

let n = 0;
async function message(callbackUrl: string | null = 'http://app.example/cb') {
  const id = `m${++n}`;
  await t.handle.db.insert(apiMessages).values({ id, tokenId: 'tok', requestHash: 'h', source: '5050', destination: '79160000000', link: 'l1', callbackUrl });
  const [row] = await t.handle.db.insert(outbox).values({ idemKey: `api-${id}`, link: 'l1', source: '5050', destination: '79160000000', body: 'x', template: 'api', corr: 'c', apiMessageId: id }).returning({ id: outbox.id });
  return { id, outboxId: row!.id };
}
const stateOf = async (id: string) => (await t.handle.db.select().from(apiMessages).where(eq(apiMessages.id, id)))[0]!;
const callbacksOf = async (id: string) => (await t.handle.db.select().from(apiCallbacks).where(eq(apiCallbacks.messageId, id)).orderBy(asc(apiCallbacks.id))).map((r) => r.state);
const receipt = (outboxId: number, state: string | null, parts: Record<string, string> = {}) =>
  t.handle.db.update(outbox).set({ receiptState: state, receiptParts: parts, receiptAt: new Date() }).where(eq(outbox.id, outboxId));

describe('the outbox trigger (drizzle/0016)', () => {
  it('has a SQL api_message_state that agrees with messageState on every input', async () => {
    for (const status of STATUSES) {
      for (const stat of STATS) {
        const rows = await t.handle.db.execute<{ s: string }>(sql`select api_message_state(${status}::text, ${stat}::text) as s`);
        const got = (Array.isArray(rows) ? rows : (rows as unknown as { rows: Array<{ s: string }> }).rows)[0]!.s;
        expect(got, `${status} ${stat}`).toBe(messageState(status, stat));
      }
    }
  });

  it('moves queued → sent → delivered, stamping each time and writing one callback per state', async () => {
    const m = await message();
    expect((await stateOf(m.id)).state).toBe('queued');
    await markOutboxSent(t.handle.db, [{ id: m.outboxId, status: 'sent', segments: 2, messageIds: ['a', 'b'] }]);
    let s = await stateOf(m.id);
    expect(s.state).toBe('sent');
    expect(s.sentAt).toBeInstanceOf(Date);
    expect(s.parts).toBe(2);
    // A re-run's mark (segments 0, no ids) and an intermediate receipt change nothing.
    await markOutboxSent(t.handle.db, [{ id: m.outboxId, status: 'sent', segments: 0, messageIds: [] }]);
    await receipt(m.outboxId, 'ENROUTE', { a: 'ENROUTE' });
    expect((await stateOf(m.id)).state).toBe('sent');
    await receipt(m.outboxId, 'DELIVRD', { a: 'DELIVRD', b: 'DELIVRD' });
    s = await stateOf(m.id);
    expect(s.state).toBe('delivered');
    expect(s.deliveredAt).toBeInstanceOf(Date);
    expect(s.parts).toBe(2);
    // Final is final: a later failure report moves nothing and adds no callback.
    await receipt(m.outboxId, 'UNDELIV');
    expect((await stateOf(m.id)).state).toBe('delivered');
    expect(await callbacksOf(m.id)).toEqual(['sent', 'delivered']);
  });

  it('records sent before a final state reached in one step, so every state has its callback', async () => {
    const m = await message();
    await t.handle.db.update(outbox).set({ status: 'sent', sentAt: new Date(), receiptState: 'EXPIRED', receiptAt: new Date() }).where(eq(outbox.id, m.outboxId));
    const s = await stateOf(m.id);
    expect(s.state).toBe('expired');
    expect(s.sentAt).toBeInstanceOf(Date);
    expect(s.expiredAt).toBeInstanceOf(Date);
    expect(await callbacksOf(m.id)).toEqual(['sent', 'expired']);
  });

  it('fails a message the peer refused without a sent state, and writes no callbacks without a callback_url', async () => {
    const m = await message();
    await markOutboxSent(t.handle.db, [{ id: m.outboxId, status: 'failed', segments: 1, messageIds: [] }]);
    expect((await stateOf(m.id)).state).toBe('failed');
    expect(await callbacksOf(m.id)).toEqual(['failed']);

    const quiet = await message(null);
    await markOutboxSent(t.handle.db, [{ id: quiet.outboxId, status: 'sent', segments: 1, messageIds: ['z'] }]);
    await receipt(quiet.outboxId, 'DELIVRD', { z: 'DELIVRD' });
    expect((await stateOf(quiet.id)).state).toBe('delivered');
    expect(await callbacksOf(quiet.id)).toEqual([]);
  });

  it('leaves replies that are not api messages alone', async () => {
    const [row] = await t.handle.db.insert(outbox).values({ idemKey: 'mo-1', link: 'l1', source: '232', destination: '79160000001', body: 'x', template: 'help.232', corr: 'c' }).returning({ id: outbox.id });
    await markOutboxSent(t.handle.db, [{ id: row!.id, status: 'sent', segments: 1, messageIds: ['q'] }]);
    expect((await t.handle.db.select().from(apiCallbacks)).every((c) => c.outboxId !== row!.id)).toBe(true);
  });
});
