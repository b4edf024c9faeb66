import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmsMessages, mmsParts, outbox } from '../../../src/db/schema/index.js';
import { eventually, type TestGateway } from '../../support/gateway.js';
import { formClient, pageText } from '../../support/web-forms.js';
import { MMSC_TOKEN, startWebGateway, testClock } from '../../support/web-gateway.js';

let t: TestGateway;
const clock = testClock();
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const auth = { authorization: `Bearer ${MMSC_TOKEN}` };

beforeAll(async () => { t = await startWebGateway({ clock, env: { WEB_SWEEP_EVERY_S: '1' } }); });
afterAll(async () => { await t?.stop(); });

async function postJson(body: unknown, headers: Record<string, string> = auth) {
  return t.gw.app!.inject({ method: 'POST', url: '/api/mms', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

const sample = (to: string) => ({
  from: '79167770000', to, subject: 'From the dacha',
  parts: [{ contentType: 'text/plain', text: 'Look at the tomatoes!' }, { contentType: 'image/png', name: 'tomatoes.png', data: PNG.toString('base64') }],
});

async function notice(to: string) {
  const [row] = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, to));
  const m = /^MMS from 79167770000: (\S+) Password: ([a-z0-9]+)\. Kept for 3 days\.$/.exec(row!.body!);
  expect(m, row!.body!).not.toBeNull();
  return { row: row!, url: m![1]!, password: m![2]! };
}

describe('POST /api/mms', () => {
  it('refuses a missing or wrong token', async () => {
    expect((await postJson(sample('79166000001'), {})).statusCode).toBe(401);
    expect((await postJson(sample('79166000001'), { authorization: 'Bearer nope' })).statusCode).toBe(401);
  });

  it('stores the MMS and texts the recipient a link and a view password from 1234, archived masked', async () => {
    const res = await postJson(sample('79166000001'));
    expect(res.statusCode).toBe(201);
    const { id, url } = res.json() as { id: string; url: string };
    const n = await notice('79166000001');
    expect(n.url).toBe(url);
    expect(url.endsWith(`/mms/${id}`)).toBe(true);
    expect(n.row).toMatchObject({ source: '1234', template: 'mms.notify', link: 'smsc1' });
    expect(n.row.archiveText).toBe(`MMS from 79167770000: ${url} Password: ••••••••. Kept for 3 days.`);
  });

  it('takes multipart too', async () => {
    const boundary = 'xYzBoundary';
    const part = (name: string, value: string | Buffer, extra = '') => Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n${extra ? 'Content-Type: image/png\r\n' : ''}\r\n`), Buffer.from(value), Buffer.from('\r\n'),
    ]);
    const payload = Buffer.concat([part('from', '79167770000'), part('to', '79166000002'), part('subject', 'multi'),
      part('text', 'hello'), part('file', PNG, '; filename="a.png"'), Buffer.from(`--${boundary}--\r\n`)]);
    const res = await t.gw.app!.inject({ method: 'POST', url: '/api/mms', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(res.statusCode, res.body).toBe(201);
    const parts = await t.gw.db.db.select().from(mmsParts).where(eq(mmsParts.mmsId, (res.json() as { id: string }).id));
    expect(parts.map((p) => [p.contentType, p.data.length])).toEqual([['text/plain; charset=utf-8', 5], ['image/png', PNG.length]]);
  });

  it('refuses an MMS over the size cap with 413, and bad input with 400', async () => {
    const big = { ...sample('79166000003'), parts: [{ contentType: 'image/jpeg', data: Buffer.alloc(1024 * 1024 + 1).toString('base64') }] };
    const res = await postJson(big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'SCGW_MMS_TOO_LARGE' });
    expect((await postJson({ from: 'x', to: 'nope', parts: [] })).statusCode).toBe(400);
    expect(await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.recipient, '79166000003'))).toHaveLength(0);
  });
});

describe('/mms/{id}', () => {
  it('shows the MMS to the recipient\'s number + view password, image inline', async () => {
    const { url, password } = await notice('79166000001');
    const path = new URL(url).pathname;
    const c = formClient(t.gw.app!);
    expect((await c.get(path)).body).toContain('name="password"');
    expect((await c.post(path, { msisdn: '79166000009', password })).status).toBe(401); // another number
    const ok = await c.post(path, { msisdn: '79166000001', password });
    expect(ok.status).toBe(303);
    const page = await c.get(path);
    expect(pageText(page.body)).toContain('From the dacha');
    expect(pageText(page.body)).toContain('Look at the tomatoes!');
    expect(page.body).toContain(`<img src="${path}/parts/2" alt="tomatoes.png">`);
    const img = await c.get(`${path}/parts/2`);
    expect(img.headers['content-type']).toBe('image/png');
    expect((await formClient(t.gw.app!).get(`${path}/parts/2`)).status).toBe(403);
  });

  it('answers 404 for an unknown id', async () => {
    expect((await formClient(t.gw.app!).get('/mms/doesnotexist')).status).toBe(404);
  });

  it('answers 410 after the keep time, and the sweep deletes the content', async () => {
    const { url, password } = await notice('79166000001');
    const path = new URL(url).pathname;
    const id = path.split('/').pop()!;
    clock.advance(3 * 86400_000 + 60_000);
    const c = formClient(t.gw.app!);
    const gone = await c.get(path);
    expect(gone.status).toBe(410);
    expect(pageText(gone.body)).toContain('This MMS is no longer available');
    await c.get('/password'); // a page with a form, for a CSRF token
    expect((await c.post(path, { msisdn: '79166000001', password })).status).toBe(410);
    await eventually(async () => (await t.gw.db.db.select().from(mmsParts).where(eq(mmsParts.mmsId, id))).length === 0, 10_000, 'parts deleted');
    const [row] = await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.id, id));
    expect(row).toMatchObject({ subject: '', passwordHash: null });
    expect(row!.purgedAt).not.toBeNull();
  });
});
