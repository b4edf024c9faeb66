import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACTIONS, PASSWORD_ALPHABET, createIssuedCounts, hashPassword, passwordGenerator, verifyPassword, type ActionDeps, type ActionMessage } from '../../src/actions/index.js';
import { operations, passwordEvents, subscribers } from '../../src/db/schema/index.js';
import { testDb } from '../support/db.js';

let t: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { t = await testDb(); });
afterAll(async () => { await t.close(); });

function deps(now: Date, perHour = 5): ActionDeps {
  return {
    now: () => now,
    newPassword: passwordGenerator(10),
    hashPassword: (p) => hashPassword(p, 10),
    render: (key, _l, vars = {}) => `${key}${vars['password'] ? ` ${vars['password']}` : ''}`,
    passwordsPerHour: perHour,
    publicUrl: 'http://x',
  };
}
const msg = (msisdn: string): ActionMessage => ({ msisdn, shortCode: '232', text: 'ON', args: '', link: 'l', channel: 'sms', corr: 'c', locale: 'en' });

describe('passwords', () => {
  it('generates passwords of the configured length with no look-alike characters', () => {
    const gen = passwordGenerator(10);
    for (let i = 0; i < 200; i++) {
      const p = gen();
      expect(p).toHaveLength(10);
      expect(p).toMatch(/^[23456789abcdefghjkmnpqrstuvwxyz]+$/);
      expect(p).not.toMatch(/[01oli]/);
    }
    expect(PASSWORD_ALPHABET).not.toMatch(/[01oliI]/);
  });

  it('stores scrypt hashes that verify the password and refuse others', async () => {
    const h = await hashPassword('abcd2345', 10);
    expect(h).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(h).not.toContain('abcd2345');
    expect(await verifyPassword('abcd2345', h)).toBe(true);
    expect(await verifyPassword('abcd2346', h)).toBe(false);
    expect(await verifyPassword('abcd2345', 'garbage')).toBe(false);
  });

  it('archive.activate turns archiving on and stores only the hash of the password it replies with', async () => {
    const action = ACTIONS.get('archive.activate')!;
    const replies = await t.handle.db.transaction((tx) => action.run(tx, msg('79160000001'), {}, deps(new Date())));
    expect(replies).toHaveLength(1);
    const password = replies[0]!.text.split(' ')[1]!;
    const [row] = await t.handle.db.select().from(subscribers).where(eq(subscribers.msisdn, '79160000001'));
    expect(row!.archiveOn).toBe(true);
    expect(await verifyPassword(password, row!.archivePasswordHash!)).toBe(true);
    const ops = await t.handle.db.select().from(operations).where(eq(operations.msisdn, '79160000001'));
    expect(ops.map((o) => o.action)).toEqual(['archive.activate']);
  });

  it('a new request replaces the old password', async () => {
    const action = ACTIONS.get('account.password')!;
    const d = deps(new Date());
    const first = (await t.handle.db.transaction((tx) => action.run(tx, msg('79160000002'), {}, d)))[0]!.text.split(' ')[1]!;
    const second = (await t.handle.db.transaction((tx) => action.run(tx, msg('79160000002'), {}, d)))[0]!.text.split(' ')[1]!;
    const [row] = await t.handle.db.select().from(subscribers).where(eq(subscribers.msisdn, '79160000002'));
    expect(await verifyPassword(second, row!.accountPasswordHash!)).toBe(true);
    expect(await verifyPassword(first, row!.accountPasswordHash!)).toBe(false);
  });

  it('caps passwords per number per hour, then sends one refusal, then stays silent until the hour passes', async () => {
    const action = ACTIONS.get('account.password')!;
    const start = new Date('2026-11-25T10:00:00Z');
    const run = (at: Date) => t.handle.db.transaction((tx) => action.run(tx, msg('79160000003'), {}, deps(at, 5)));
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push((await run(new Date(start.getTime() + i * 60_000))).map((r) => r.template).join(',') || 'silent');
    expect(outcomes).toEqual([...Array(5).fill('account.password'), 'password.refused', 'silent', 'silent']);
    const later = await run(new Date(start.getTime() + 3600_000 + 5 * 60_000));
    expect(later.map((r) => r.template)).toEqual(['account.password']);
    const events = await t.handle.db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, '79160000003'));
    expect(events.filter((e) => e.outcome === 'issued')).toHaveLength(6);
  });

  it('a number\'s concurrent requests in separate transactions take turns: never more than the hourly cap issued', async () => {
    const now = new Date('2026-06-01T10:00:00Z');
    const action = ACTIONS.get('archive.activate')!;
    // Six transactions at once (the pool has 8 connections); each prepares nothing, so all hash under the lock.
    const results = await Promise.all(Array.from({ length: 6 }, () =>
      t.handle.db.transaction((tx) => action.run(tx, msg('79991230001'), {}, deps(now, 3)))));
    expect(results.filter((r) => r[0]?.template === 'archive.activate')).toHaveLength(3);
    const events = await t.handle.db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, '79991230001'));
    expect(events.filter((e) => e.outcome === 'issued')).toHaveLength(3);
    expect(events.filter((e) => e.outcome === 'refused')).toHaveLength(3);
  });

  it('with passwords prepared outside the transaction (the pipeline\'s way), stores only an issued one, never past the cap', async () => {
    const now = new Date('2026-06-02T10:00:00Z');
    const msisdn = '79991230002';
    const d = deps(now, 2);
    // Each request hashed before its transaction, as the executor does; then all run at once.
    const runs = await Promise.all(Array.from({ length: 4 }, async () => {
      const action = ACTIONS.get('archive.activate')!;
      const prepared = await action.prepare!(t.handle.db, msg(msisdn), {}, d);
      return t.handle.db.transaction((tx) => action.run(tx, msg(msisdn), {}, { ...d, prepared }));
    }));
    const issued = runs.filter((r) => r[0]?.template === 'archive.activate').map((r) => r[0]!.text.split(' ')[1]!);
    expect(issued).toHaveLength(2);
    expect(runs.filter((r) => r[0]?.template === 'password.refused')).toHaveLength(1);
    // The row holds the last issued password: the refused requests' prepared hashes were never stored.
    const [row] = await t.handle.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(row!.archiveOn).toBe(true);
    const verified = await Promise.all(issued.map((p) => verifyPassword(p, row!.archivePasswordHash!)));
    expect(verified.filter(Boolean)).toHaveLength(1);
    const events = await t.handle.db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, msisdn));
    expect(events.map((e) => e.outcome).sort()).toEqual(['issued', 'issued', 'refused', 'refused']);
  });

  it('from the web form, a prepared account password is stored as pending and the phone\'s one stays', async () => {
    const now = new Date('2026-06-03T10:00:00Z');
    const msisdn = '79991230003';
    const action = ACTIONS.get('account.password')!;
    const d = deps(now);
    const phone = (await t.handle.db.transaction((tx) => action.run(tx, msg(msisdn), {}, d)))[0]!.text.split(' ')[1]!;
    const webMsg = { ...msg(msisdn), channel: 'web' as const };
    const prepared = await action.prepare!(t.handle.db, webMsg, {}, d);
    const web = (await t.handle.db.transaction((tx) => action.run(tx, webMsg, {}, { ...d, prepared })))[0]!.text.split(' ')[1]!;
    const [row] = await t.handle.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(await verifyPassword(phone, row!.accountPasswordHash!)).toBe(true);
    expect(await verifyPassword(web, row!.accountPasswordPendingHash!)).toBe(true);
    expect(row!.updatedAt.getTime()).toBe(now.getTime());
  });
});

describe('the password pre-check, batched (createIssuedCounts)', () => {
  const now = new Date('2026-07-01T12:00:00Z');
  const ago = (min: number) => new Date(now.getTime() - min * 60_000);
  beforeAll(async () => {
    await t.handle.db.insert(passwordEvents).values([
      { msisdn: '79993000001', kind: 'archive', outcome: 'issued', createdAt: ago(10) },
      { msisdn: '79993000001', kind: 'account', outcome: 'issued', createdAt: ago(50) },
      { msisdn: '79993000001', kind: 'archive', outcome: 'issued', createdAt: ago(90) }, // older than an hour
      { msisdn: '79993000001', kind: 'archive', outcome: 'refused', createdAt: ago(5) }, // a refusal is not an issue
      { msisdn: '79993000002', kind: 'archive', outcome: 'issued', createdAt: ago(1) },
    ]);
  });

  it('answers the asks of one tick with one statement, each with its own count and window', async () => {
    const execute = vi.spyOn(t.handle.db, 'execute');
    const count = createIssuedCounts(t.handle.db);
    const counts = await Promise.all([
      count('79993000001', ago(60)),
      count('79993000003', ago(60)), // never issued one
      count('79993000001', ago(120)),
      count('79993000002', ago(60)),
      count('79993000002', ago(0.5)),
    ]);
    expect(execute).toHaveBeenCalledTimes(1);
    execute.mockRestore();
    expect(counts).toEqual([2, 0, 3, 1, 0]);
  });

  it('gives prepare the same answer as its own query: no hash for a number at its cap', async () => {
    const count = createIssuedCounts(t.handle.db);
    const action = ACTIONS.get('archive.activate')!;
    const capped = { ...deps(now, 2), hashPassword: vi.fn(async (p: string) => hashPassword(p, 10)) };
    expect(await action.prepare!(t.handle.db, msg('79993000001'), {}, { ...capped, issuedSince: count })).toBeNull();
    expect(await action.prepare!(t.handle.db, msg('79993000001'), {}, capped)).toBeNull();
    expect(capped.hashPassword).not.toHaveBeenCalled();
    expect(await action.prepare!(t.handle.db, msg('79993000002'), {}, { ...capped, issuedSince: count })).toMatchObject({ password: expect.any(String) });
    expect(capped.hashPassword).toHaveBeenCalledTimes(1);
  });

  it('rejects every ask of a tick when its statement fails', async () => {
    const execute = vi.spyOn(t.handle.db, 'execute').mockRejectedValueOnce(new Error('connection lost'));
    const count = createIssuedCounts(t.handle.db);
    const outcomes = await Promise.allSettled([count('79993000001', ago(60)), count('79993000002', ago(60))]);
    execute.mockRestore();
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
