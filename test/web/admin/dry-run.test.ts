import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigVersion } from '../../../src/db/queries/config.js';
import { operations, outbox, passwordEvents, processedMo, subscribers } from '../../../src/db/schema/index.js';
import { eventually } from '../../support/gateway.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

async function rowCounts() {
  const db = a.t.gw.db.db;
  const n = async (t: Parameters<ReturnType<typeof db.select>['from']>[0]) => Number((await db.select({ n: count() }).from(t))[0]?.n);
  return { subscribers: await n(subscribers), operations: await n(operations), passwordEvents: await n(passwordEvents), processedMo: await n(processedMo), outbox: await n(outbox) };
}

describe('dry run', () => {
  it('says which route matched and why, which action would run and the reply, with a fake password', async () => {
    const res = await a.call('POST', '/admin/dry-run', { from: '79161234567', to: '232', text: ' пер ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      configVersion: await readConfigVersion(a.t.gw.db.db),
      shortCodeKnown: true,
      normalised: 'ПЕР',
      route: { id: '232-on', kind: 'exact', action: 'archive.activate' },
      action: { name: 'archive.activate', params: {} },
      locale: 'ru',
      replies: [{ template: 'archive.activate', text: 'SMS-архив включён. Пароль: ********. Сообщения: http://localhost:8080/archive' }],
      note: null,
    });
    expect(res.body.forms).toContain('PER');
    expect(res.body.candidates).toEqual([
      expect.objectContaining({ routeId: '232-off', matched: false, why: expect.stringContaining('no text form') }),
      expect.objectContaining({ routeId: '232-on', matched: true, why: 'chosen: text form "PER" equals keyword "PER"' }),
      expect.objectContaining({ routeId: '232-help', matched: true, why: expect.stringContaining('232-on comes first') }),
    ]);
  });

  it('acts on nothing: no subscriber, operations log, password event, idempotency key or outbox row is written', async () => {
    const before = await rowCounts();
    await a.call('POST', '/admin/dry-run', { from: '79160000001', to: '111', text: '25' });
    await a.call('POST', '/admin/dry-run', { from: '79160000001', to: '232', text: 'OFF' });
    expect(await rowCounts()).toEqual(before);
    expect(before.subscribers).toBe(0);
  });

  it('shows the help reply for unmatched text and says when a short code has no routes', async () => {
    const help = await a.call('POST', '/admin/dry-run', { from: '79161234567', to: '111', text: 'hello' });
    expect(help.body).toMatchObject({ route: { id: '111-help' }, action: { name: 'help' }, replies: [{ template: 'help.111', text: expect.stringMatching(/^Account, 111/) }] });
    const none = await a.call('POST', '/admin/dry-run', { from: '79161234567', to: '999', text: 'ON' });
    expect(none.body).toMatchObject({ shortCodeKnown: false, route: null, action: null, replies: [], note: expect.stringContaining('no route for short code 999') });
  });

  it("routes with this node's live config, which follows a change within the poll interval", async () => {
    const changed = await a.call('POST', '/admin/routes', { id: '232-go', shortCode: '232', kind: 'exact', keywords: ['GO'], priority: 100, action: 'archive.activate' });
    const res = await eventually(async () => {
      const r = await a.call('POST', '/admin/dry-run', { from: '79161234567', to: '232', text: 'go' });
      return r.body.configVersion === changed.body.configVersion ? r : null;
    }, 2000, 'the new version');
    expect(res.body.route.id).toBe('232-go');
  });

  it('validates its input and the link it is asked about', async () => {
    expect((await a.call('POST', '/admin/dry-run', { from: 'me', to: '232', text: 'ON' })).body.message).toMatch(/^from: /);
    expect((await a.call('POST', '/admin/dry-run', { from: '79161234567', to: '232', text: 'ON', link: 'nolink' })).status).toBe(404);
  });
});
