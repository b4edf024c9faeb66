/**
 * Issue 13 item 1: actions started from the web go through one executor (web/subscriber/act.ts): the slow part
 * (a password hash) runs before the transaction, and the action, its operations-log row and its SMS commit together.
 */
import { and, eq, like } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, outbox, webAccounts } from '../../../src/db/schema/index.js';
import type { TestGateway } from '../../support/gateway.js';
import { formClient } from '../../support/web-forms.js';
import { givePassword, MMSC_TOKEN, startWebGateway } from '../../support/web-gateway.js';

let t: TestGateway;
let watcher: postgres.Sql;
/** For each hash: the transactions that stayed open (idle, waiting on the gateway) while it ran. */
const heldDuringHash: number[] = [];

/**
 * While a hash runs, a transaction that waits on it sits "idle in transaction" with the same xact_start from the
 * hash's start to its end. Two looks 200 ms apart inside the hook: the hash cannot end before the hook returns,
 * so a caller holding a transaction open around the hash is seen in both, whatever the machine's speed.
 */
async function watchHash(): Promise<void> {
  const look = async () => new Set((await watcher`select pid, xact_start from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`).map((r) => `${r.pid}@${String(r.xact_start)}`));
  const before = await look();
  await new Promise((r) => setTimeout(r, 200));
  const after = await look();
  heldDuringHash.push([...before].filter((k) => after.has(k)).length);
}

beforeAll(async () => {
  t = await startWebGateway({ env: { HOME_PREFIXES: '7916' }, onHash: () => watchHash() });
  watcher = postgres(t.svc.databaseUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await watcher?.end();
  await t?.stop();
});

const sms = (to: string) => t.gw.db.db.select().from(outbox).where(eq(outbox.destination, to));
const ops = (msisdn: string) => t.gw.db.db.select().from(operations).where(eq(operations.msisdn, msisdn));

describe('web executor', () => {
  it('hashes the password form\'s new password before its transaction opens', async () => {
    heldDuringHash.length = 0;
    const res = await formClient(t.gw.app!, { remoteAddress: '10.13.0.1' }).submit('/password', '/password', { msisdn: '79161310001' });
    expect(res.status).toBe(200);
    expect(heldDuringHash).toEqual([0]);
    const [row] = await sms('79161310001');
    const [op] = await ops('79161310001');
    expect(row!.template).toBe('account.password');
    // The SMS and the operations-log row belong to one request: one corr, committed together.
    expect(op).toMatchObject({ action: 'account.password', channel: 'web', outcome: 'ok', corr: row!.corr });
  });

  it('hashes an MMS notice\'s view password before the transaction that stores the MMS', async () => {
    heldDuringHash.length = 0;
    const res = await t.gw.app!.inject({
      method: 'POST', url: '/api/mms', headers: { 'content-type': 'application/json', authorization: `Bearer ${MMSC_TOKEN}` },
      payload: JSON.stringify({ from: '79167770000', to: '79161310002', parts: [{ contentType: 'text/plain', text: 'hi' }] }),
    });
    expect(res.statusCode).toBe(201);
    expect(heldDuringHash).toEqual([0]);
    const [row] = await sms('79161310002');
    const [op] = await ops('79161310002');
    expect(row!.template).toBe('mms.notify');
    expect(op).toMatchObject({ action: 'mms.notify', channel: 'api', corr: row!.corr });
  });

  it('sends a login alert in the login\'s transaction, under the login\'s corr', async () => {
    await givePassword(t, '79161310003', 'account', 'owner-pass');
    await t.gw.db.db.insert(webAccounts).values({ msisdn: '79161310003', alertOnLogin: true });
    const res = await formClient(t.gw.app!, { remoteAddress: '10.13.0.3' }).submit('/account', '/account/login', { msisdn: '79161310003', password: 'owner-pass' });
    expect(res.status).toBe(303);
    const [alert] = await t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, '79161310003'), like(outbox.template, 'alert.%')));
    const [op] = await ops('79161310003');
    expect(alert!.template).toBe('alert.login');
    expect(alert!.source).toBe('111');
    expect(op).toMatchObject({ action: 'web.login', outcome: 'ok', corr: alert!.corr });
  });
});
