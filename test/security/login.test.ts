/**
 * Issue 10 item 5: login floods. The password is checked outside any transaction in capped slots; a stranger's
 * wrong passwords lock only the stranger's address, with a slower backoff per number; numbers without a password
 * get no rows; alert SMS are capped; logins are rate-limited per client address.
 */
import { and, eq, like } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/actions/index.js';
import { loginFailures, operations, outbox, subscribers, webAccounts } from '../../src/db/schema/index.js';
import type { TestGateway } from '../support/gateway.js';
import { formClient, pageText } from '../support/web-forms.js';
import { givePassword, startWebGateway, testClock } from '../support/web-gateway.js';

let t: TestGateway;
const clock = testClock();

beforeAll(async () => {
  t = await startWebGateway({
    clock,
    env: { LOGIN_NUMBER_MAX_FAILURES: '6', LOGIN_NUMBER_BACKOFF_S: '60', ALERTS_PER_HOUR: '3', LOGIN_PER_IP_PER_MINUTE: '8', LOGIN_HASH_CONCURRENCY: '1' },
  });
});
afterAll(async () => { await t?.stop(); });
// Each test starts an hour on, one second into a minute, so no test straddles a cap's window.
beforeEach(() => clock.advance(3600_000 + 61_000 - (clock.now().getTime() % 60_000)));

let n = 0;
const addr = () => `10.7.${Math.floor(++n / 250)}.${n % 250 + 1}`;
const login = (msisdn: string, password: string, remoteAddress = addr()) =>
  formClient(t.gw.app!, { remoteAddress }).submit('/account', '/account/login', { msisdn, password });

describe('web login under attack', () => {
  it('a stranger\'s wrong passwords lock the stranger out, not the owner', async () => {
    await givePassword(t, '79167000001', 'account', 'owner-pass');
    const stranger = addr();
    for (let i = 0; i < 4; i++) expect((await login('79167000001', `guess-${i}`, stranger)).status).toBe(401);
    expect((await login('79167000001', 'guess-4', stranger)).status).toBe(429);
    expect((await login('79167000001', 'owner-pass', stranger)).status).toBe(429);
    expect((await login('79167000001', 'owner-pass')).status).toBe(303);
  });

  it('slows guesses at one number from many addresses to one per backoff', async () => {
    await givePassword(t, '79167000002', 'account', 'owner-pass');
    for (let i = 0; i < 6; i++) expect((await login('79167000002', `guess-${i}`)).status).toBe(401);
    const slowed = await login('79167000002', 'guess-6');
    expect(slowed.status).toBe(429);
    expect(pageText(slowed.body)).toMatch(/Too many wrong passwords for this number\. Try again in \d+ seconds\./);
    expect(Number(slowed.headers['retry-after'])).toBeLessThanOrEqual(60);
    clock.advance(60_000);
    expect((await login('79167000002', 'owner-pass')).status).toBe(303);
  });

  it('keeps no rows for a number that never had a password', async () => {
    for (let i = 0; i < 3; i++) expect((await login('79167000003', `guess-${i}`)).status).toBe(401);
    expect(await t.gw.db.db.select().from(webAccounts).where(eq(webAccounts.msisdn, '79167000003'))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(loginFailures).where(eq(loginFailures.msisdn, '79167000003'))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79167000003'))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, '79167000003'))).toHaveLength(0);
  });

  it('caps alert SMS per number per hour', async () => {
    await givePassword(t, '79167000004', 'account', 'owner-pass');
    await t.gw.db.db.insert(webAccounts).values({ msisdn: '79167000004', alertOnFailure: true });
    for (let i = 0; i < 5; i++) expect((await login('79167000004', `guess-${i}`)).status).toBe(401);
    const alerts = await t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, '79167000004'), like(outbox.template, 'alert.%')));
    expect(alerts).toHaveLength(3);
  });

  it('rate-limits logins per client address', async () => {
    const a = addr();
    for (let i = 0; i < 8; i++) expect((await login(`791670001${i}0`, 'x', a)).status).toBe(401);
    const over = await login('79167000190', 'x', a);
    expect(over.status).toBe(429);
    expect(pageText(over.body)).toContain('Too many login attempts from your network');
  });

  it('checks passwords in capped slots outside any transaction: a flood gets "busy", no transaction waits on a hash', async () => {
    // A slow hash (2^16) makes each check last long enough to watch.
    const hash = await hashPassword('slow-pass', 16);
    await t.gw.db.db.insert(subscribers).values({ msisdn: '79167000005', accountPasswordHash: hash });
    const watcher = postgres(t.svc.databaseUrl, { max: 1, onnotice: () => {} });
    let longTx = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const [row] = await watcher`select count(*)::int as n from pg_stat_activity where datname = current_database()
          and state like 'idle in transaction%' and now() - state_change > interval '300 milliseconds'`;
        longTx = Math.max(longTx, row!.n as number);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login('79167000005', i === 0 ? 'slow-pass' : `guess-${i}`)));
    done = true;
    await watch;
    await watcher.end();
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(pageText(busy[0]!.body)).toContain('The server is busy. Try again in a few seconds.');
    expect(longTx).toBe(0);
  }, 60_000);
});
