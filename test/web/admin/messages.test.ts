import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, processedMo } from '../../../src/db/schema/index.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
const T0 = Date.parse('2030-05-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const range = (from: number, to: number) => `from=${at(from).toISOString()}&to=${at(to).toISOString()}`;

beforeAll(async () => {
  a = await startAdmin();
  const db = a.t.gw.db.db;
  await db.insert(processedMo).values([
    { idemKey: 'mo-a', createdAt: at(0), link: 'smsc1', source: '79160000001', destination: '232', corr: 'c1', channel: 'sms', state: 'acted', action: 'archive.activate' },
    { idemKey: 'mo-b', createdAt: at(60), link: 'smsc2', source: '+79160000002', destination: '111', corr: 'c2', channel: 'sms', state: 'blocked', action: null },
    { idemKey: 'mo-old', createdAt: at(5) }, // recorded before the log columns existed: never listed
    // five at one instant: pages must neither skip nor repeat rows that tie on time
    ...[1, 2, 3, 4, 5].map((i) => ({ idemKey: `mo-tie${i}`, createdAt: at(120), link: 'smsc1', source: '79160000009', destination: '232', corr: `t${i}`, channel: 'sms' as const, state: 'acted' as const, action: 'help' })),
  ]);
  await db.insert(outbox).values([
    { idemKey: 'mo-a', createdAt: at(30), link: 'smsc1', source: '232', destination: '79160000001', template: 'archive.activate', corr: 'c1', status: 'sent', receiptState: 'DELIVRD' },
    { idemKey: 'web-x', createdAt: at(90), link: 'smsc2', source: '1234', destination: '79160000003', template: 'mms.notify', corr: 'c3', status: 'failed' },
    { idemKey: 'mo-tie1', createdAt: at(120), link: 'smsc1', source: '232', destination: '79160000009', template: 'help.232', corr: 't1', status: 'pending' },
  ]);
});
afterAll(async () => { await a?.stop(); });

const ids = (body: { messages: Array<{ id: string; direction: string }> }) => body.messages.map((m) => m.id);

describe('GET /admin/messages', () => {
  it('lists MO and MT newest first, with what became of each', async () => {
    const res = await a.call('GET', `/admin/messages?${range(0, 100)}`);
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([
      { direction: 'mt', id: expect.stringMatching(/^mt-0+\d+$/), at: at(90).toISOString(), number: '79160000003', shortCode: '1234', link: 'smsc2', state: 'failed', what: 'mms.notify', channel: null, corr: 'c3', receipt: null },
      { direction: 'mo', id: 'mo-b', at: at(60).toISOString(), number: '+79160000002', shortCode: '111', link: 'smsc2', state: 'blocked', what: null, channel: 'sms', corr: 'c2', receipt: null },
      { direction: 'mt', id: expect.stringMatching(/^mt-/), at: at(30).toISOString(), number: '79160000001', shortCode: '232', link: 'smsc1', state: 'sent', what: 'archive.activate', channel: null, corr: 'c1', receipt: 'DELIVRD' },
      { direction: 'mo', id: 'mo-a', at: at(0).toISOString(), number: '79160000001', shortCode: '232', link: 'smsc1', state: 'acted', what: 'archive.activate', channel: 'sms', corr: 'c1', receipt: null },
    ]);
    expect(res.body).toMatchObject({ next: null, numbersMasked: false });
  });

  it('filters by number (with or without +), short code, link, state, direction and time', async () => {
    const q = async (s: string) => ids((await a.call('GET', `/admin/messages?${s}`)).body);
    expect(await q('number=79160000001')).toEqual([expect.stringMatching(/^mt-/), 'mo-a']);
    expect(await q('number=%2B79160000001')).toEqual([expect.stringMatching(/^mt-/), 'mo-a']);
    expect(await q('number=79160000002')).toEqual(['mo-b']);
    expect(await q(`shortCode=232&${range(0, 100)}`)).toEqual([expect.stringMatching(/^mt-/), 'mo-a']);
    expect(await q(`link=smsc2`)).toEqual([expect.stringMatching(/^mt-/), 'mo-b']);
    expect(await q('state=blocked')).toEqual(['mo-b']);
    expect(await q('state=failed')).toHaveLength(1);
    expect(await q(`direction=mo&${range(0, 100)}`)).toEqual(['mo-b', 'mo-a']);
    expect(await q(`direction=mo&state=sent`)).toEqual([]);
    expect(await q(`${range(30, 60)}`)).toEqual([expect.stringMatching(/^mt-/)]); // from inclusive, to exclusive
  });

  it('pages with a cursor, rows that tie on time included, never skipping or repeating one', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { messages: Array<{ id: string; direction: string }>; next: string | null } } = await a.call('GET', `/admin/messages?${range(100, 200)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(res.body));
      cursor = res.body.next;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen.filter((s) => s.startsWith('mo-tie')).sort()).toEqual(['mo-tie1', 'mo-tie2', 'mo-tie3', 'mo-tie4', 'mo-tie5']);
  });

  it('shows numbers only to tokens that grant read; others see them masked', async () => {
    const send = (await a.call('POST', '/admin/tokens', { name: 'sender', scopes: ['send'] })).body.token;
    const read = (await a.call('POST', '/admin/tokens', { name: 'reader', scopes: ['read'] })).body.token;
    const masked = await a.call('GET', `/admin/messages?${range(0, 100)}&direction=mo`, undefined, { token: send });
    expect(masked.status).toBe(200);
    expect(masked.body.messages.map((m: { number: string }) => m.number)).toEqual(['+7916*****02', '7916*****01']);
    expect(masked.body.numbersMasked).toBe(true);
    const shown = await a.call('GET', `/admin/messages?${range(0, 100)}&direction=mo`, undefined, { token: read });
    expect(shown.body.messages.map((m: { number: string }) => m.number)).toEqual(['+79160000002', '79160000001']);
    // send alone still may not touch config
    expect((await a.call('GET', '/admin/routes', undefined, { token: send })).status).toBe(403);
  });

  it('refuses bad queries with 400 and a message naming the parameter', async () => {
    const bad = async (s: string) => { const r = await a.call('GET', `/admin/messages?${s}`); expect(r.status).toBe(400); return r.body.message as string; };
    expect(await bad('number=abc')).toBe('number: number: the subscriber number, digits only');
    expect(await bad(`from=${at(10).toISOString()}&to=${at(0).toISOString()}`)).toBe('from: from must be before to');
    expect(await bad('from=yesterday')).toMatch(/^from: an ISO 8601 instant/);
    expect(await bad('state=lost')).toMatch(/^state: Invalid enum value/);
    expect(await bad('limit=0')).toMatch(/^limit: /);
    expect(await bad('cursor=nonsense')).toMatch(/^cursor: not a cursor/);
    expect(await bad('msisdn=1')).toMatch(/Unrecognized key/);
    expect((await a.call('GET', '/admin/messages', undefined, { token: null })).status).toBe(401);
  });
});

describe('GET /admin/messages/export', () => {
  it('streams a few thousand rows as CSV with a header, oldest first, over a real socket', async () => {
    const base = '2031-01-01T00:00:00Z';
    await a.t.gw.db.db.execute(sql`insert into processed_mo (idem_key, created_at, link, source, destination, corr, channel, state, action)
      select 'mo-x' || g, ${base}::timestamptz + g * interval '1 second', 'smsc1', '7916' || lpad(g::text, 7, '0'), '232', 'x' || g, 'sms', 'acted', 'help'
      from generate_series(1, 2500) g`);
    await a.t.gw.db.db.execute(sql`insert into outbox (idem_key, created_at, link, source, destination, template, corr, status)
      select 'mo-x' || g, ${base}::timestamptz + g * interval '1 second' + interval '1 millisecond', 'smsc1', '232', '7916' || lpad(g::text, 7, '0'), 'help.232', 'x' || g, 'sent'
      from generate_series(1, 1500) g`);
    const res = await fetch(`http://127.0.0.1:${a.t.gw.httpPort}/admin/messages/export?from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z`, { headers: { authorization: `Bearer ${a.t.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-length')).toBeNull(); // streamed, not buffered
    const lines = (await res.text()).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('direction,at,number,short_code,link,state,what,channel,corr,receipt');
    expect(lines).toHaveLength(1 + 4000);
    expect(lines[1]).toBe('mo,2031-01-01T00:00:01.000Z,79160000001,232,smsc1,acted,help,sms,x1,');
    expect(lines[2]).toBe('mt,2031-01-01T00:00:01.001Z,79160000001,232,smsc1,sent,help.232,,x1,');
    expect(lines[4000]).toBe('mo,2031-01-01T00:41:40.000Z,79160002500,232,smsc1,acted,help,sms,x2500,');
  });

  it('masks numbers for a token without read, and needs a time range', async () => {
    const send = (await a.call('POST', '/admin/tokens', { name: 'sender2', scopes: ['send'] })).body.token;
    const res = await a.call('GET', '/admin/messages/export?from=2031-01-01T00:00:00Z&to=2031-01-01T00:00:02Z', undefined, { token: send });
    expect(res.headers['x-scgw-numbers-masked']).toBe('true');
    expect(res.text.split('\r\n')[1]).toBe('mo,2031-01-01T00:00:01.000Z,7916*****01,232,smsc1,acted,help,sms,x1,');
    const none = await a.call('GET', '/admin/messages/export?from=2031-01-01T00:00:00Z');
    expect(none).toMatchObject({ status: 400, body: { code: 'SCGW_BAD_REQUEST', message: 'to: Required' } });
  });
});
