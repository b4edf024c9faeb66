/**
 * The send API end to end (issue 11 item 3): an app POSTs to /api/v1/messages over real HTTP, the gateway sends it
 * as submit_sm on an outbound link to a test SMSC, the SMSC sends delivery receipts back, and a real HTTP server
 * (node `http`) stands in for the app's callback_url: it records what it receives and can answer 500, answer
 * slowly or not at all. Callback signatures are checked with WebCrypto, not with the gateway's code.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOptOut } from '../../src/db/queries/opt-outs.js';
import { apiCallbacks, outbox } from '../../src/db/schema/index.js';
import { createRootLogger } from '../../src/log.js';
import { CALLBACK_QUEUE } from '../../src/pipeline/callbacks/index.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { ESME, createSmppServer, type InboundMessage, type OutboundPdu, type SmppServer, type SmppSession } from '../../src/smpp/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const log = createRootLogger(process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent');

/** The SMSC: takes the gateway's bind, collects its submit_sm (answering each with a fresh message_id). */
function testSmsc() {
  const submits: InboundMessage[] = [];
  const sessions: SmppSession[] = [];
  let server: SmppServer | undefined;
  return {
    submits, sessions,
    async start(): Promise<number> {
      server = createSmppServer({
        log, responseTimeoutMs: 2000, sessionInitS: 10,
        authenticate: async (req) => (req.systemId === 'scgw-up' && req.password === 'smscpw' ? { ok: true, link: 'gw', window: 10 } : { ok: false, status: ESME.RINVPASWD }),
        onMessage: async (m) => { submits.push(m); },
        onBound: (s) => sessions.push(s),
      });
      return server.listen(0, '127.0.0.1');
    },
    async stop() { await server?.close(500); },
    live(): SmppSession {
      const s = sessions.filter((x) => x.bound).at(-1);
      if (!s) throw new Error('the gateway is not bound to the SMSC');
      return s;
    },
  };
}

interface Received { path: string; headers: IncomingHttpHeaders; raw: string; body: { id: string; state: string; at: string; reference: string | null; from: string; to: string; parts: number | null }; answered: number }

/** The app's callback receiver. `plan(path)` says how to answer the next request to that path. */
function callbackServer() {
  const received: Received[] = [];
  const plans = new Map<string, Array<'ok' | 'fail' | 'hang' | { slowMs: number }>>();
  let server: Server | undefined;
  const hanging = new Set<() => void>();
  return {
    received,
    plan(path: string, ...steps: Array<'ok' | 'fail' | 'hang' | { slowMs: number }>) { plans.set(path, steps); },
    async start(): Promise<string> {
      server = createServer((req, res) => {
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => { raw += c; });
        req.on('end', () => {
          const path = req.url ?? '/';
          const step = plans.get(path)?.shift() ?? 'ok';
          const rec: Received = { path, headers: req.headers, raw, body: JSON.parse(raw) as Received['body'], answered: 0 };
          received.push(rec);
          const answer = (status: number) => { rec.answered = status; res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status)); };
          if (step === 'ok') answer(200);
          else if (step === 'fail') answer(500);
          else if (step === 'hang') {
            const end = () => { hanging.delete(end); res.destroy(); };
            hanging.add(end);
            setTimeout(end, 5000);
          } else setTimeout(() => answer(200), step.slowMs);
        });
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    },
    async stop() {
      for (const end of [...hanging]) end();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    },
  };
}

/** An independent check of X-Scgw-Signature: WebCrypto HMAC-SHA256 over "<timestamp>.<raw body>". */
async function signatureValid(secret: string, rec: Received): Promise<boolean> {
  const ts = String(rec.headers['x-scgw-timestamp'] ?? '');
  const sig = String(rec.headers['x-scgw-signature'] ?? '');
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${ts}.${rec.raw}`))).toString('hex');
  return sig === `v1=${mac}`;
}

const receipt = (messageId: string, state: number): OutboundPdu => ({
  source: { addr: '79000000000', ton: 1, npi: 1 }, destination: { addr: '5050', ton: 0, npi: 0 }, esmClass: 0x04, dataCoding: 0,
  shortMessage: Buffer.alloc(0), tlvs: { receiptedMessageId: messageId, messageState: state },
});

let t: TestGateway;
const smsc = testSmsc();
const hooks = callbackServer();
let hookBase = '';
let base = '';
let sender = { id: '', token: '', callbackSecret: '' };

async function admin(method: string, url: string, payload?: object) {
  const res = await fetch(`${base}${url}`, {
    method, headers: { authorization: `Bearer ${t.adminToken}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { body: JSON.stringify(payload) } : {}),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function send(token: string, payload: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> & { id: string; state: string } };
}

async function getMessage(token: string, id: string) {
  const res = await fetch(`${base}/api/v1/messages/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() as Record<string, unknown> & { state: string; parts: number | null; partStates: Array<{ seq: number; state: string }> } };
}

async function makeToken(name: string, extra: object = {}) {
  const r = await admin('POST', '/admin/tokens', { name, scopes: ['send'], allowedSources: ['5050', 'ACME'], ...extra });
  expect(r.status).toBe(201);
  return r.body as { id: string; token: string; callbackSecret: string };
}

/** The outbox row of an api message, once the mt worker recorded its message ids. */
const sentRow = (id: string, parts = 1) => eventually(async () => {
  const [row] = await t.gw.db.db.select().from(outbox).where(eq(outbox.apiMessageId, id));
  return row?.messageIds?.length === parts ? row : undefined;
}, 10_000, `message ${id} to be marked sent`);

/** A quiet point: every callback due for the message is done or given up. */
const callbacksSettled = (id: string, n: number) => eventually(async () => {
  const rows = await t.gw.db.db.select().from(apiCallbacks).where(eq(apiCallbacks.messageId, id));
  return rows.length === n && rows.every((r) => r.doneAt !== null || r.gaveUpAt !== null) ? rows : undefined;
}, 20_000, `the callbacks of ${id} to settle`);

beforeAll(async () => {
  const smscPort = await smsc.start();
  hookBase = await hooks.start();
  t = await startTestGateway({
    env: {
      HOME_PREFIXES: '79', SEND_API_LINK: 'up', CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_POLL_MS: '50', CALLBACK_BACKOFF_MS: '100',
      CALLBACK_ATTEMPTS: '4', CALLBACK_TIMEOUT_MS: '500',
    },
  });
  base = `http://127.0.0.1:${t.gw.httpPort}`;
  await t.addLink('up', 'unused', { direction: 'connect', host: '127.0.0.1', port: smscPort, remoteSystemId: 'scgw-up', remotePassword: 'smscpw' });
  await eventually(() => smsc.sessions.some((s) => s.bound), 10_000, 'the gateway to bind to the SMSC');
  sender = await makeToken('app');
});
afterAll(async () => { await t?.stop(); await smsc.stop(); await hooks.stop(); });

describe('send API', () => {
  it('queues a message (202), sends it as submit_sm, and calls back once per state: sent, then delivered', async () => {
    const r = await send(sender.token, { from: '5050', to: '+79161110001', text: 'Your order shipped', reference: 'order-1', callback_url: `${hookBase}/a` });
    expect(r.status).toBe(202);
    expect(r.body.state).toBe('queued');
    const sm = await eventually(() => smsc.submits.find((m) => m.destination.addr === '79161110001'), 10_000, 'the submit_sm');
    expect(sm.source.addr).toBe('5050');
    expect(sm.shortMessage.toString()).toBe('Your order shipped');
    expect(sm.registeredDelivery).toBe(1);

    const row = await sentRow(r.body.id);
    const sent = await eventually(async () => { const g = await getMessage(sender.token, r.body.id); return g.body.state === 'sent' ? g : undefined; }, 10_000, 'state sent');
    expect(sent.body.sentAt).toEqual(expect.any(String));
    expect(sent.body.parts).toBe(1);

    expect((await smsc.live().send('deliver_sm', receipt(row.messageIds![0]!, 2))).status).toBe(ESME.ROK);
    const done = await eventually(async () => { const g = await getMessage(sender.token, r.body.id); return g.body.state === 'delivered' ? g : undefined; }, 10_000, 'state delivered');
    expect(done.body.deliveredAt).toEqual(expect.any(String));
    expect(done.body.partStates).toEqual([{ seq: 1, state: 'delivered' }]);

    await eventually(() => hooks.received.some((x) => x.body.id === r.body.id && x.body.state === 'delivered'), 10_000, 'the delivered callback');
    await callbacksSettled(r.body.id, 2);
    const mine = hooks.received.filter((x) => x.body.id === r.body.id);
    expect(mine.map((x) => x.body.state)).toEqual(['sent', 'delivered']);
    for (const x of mine) {
      expect(await signatureValid(sender.callbackSecret, x)).toBe(true);
      expect(x.body).toMatchObject({ reference: 'order-1', from: '5050', to: '79161110001', parts: 1 });
    }
    expect(await signatureValid('whsec_wrong', mine[0]!)).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/scgw_send_api_requests_total\{outcome="accepted"\} [1-9]/);
    expect(metrics).toMatch(/scgw_send_api_callbacks_total\{outcome="ok"\} [1-9]/);
  });

  it('honours Idempotency-Key: the same body gives the same id and one submit_sm; another body is 409', async () => {
    const body = { from: '5050', to: '79161110002', text: 'once only' };
    const a = await send(sender.token, body, { 'idempotency-key': 'k-1' });
    const b = await send(sender.token, body, { 'idempotency-key': 'k-1' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const c = await send(sender.token, { ...body, text: 'something else' }, { 'idempotency-key': 'k-1' });
    expect(c.status).toBe(409);
    // Quiet point: the message is marked sent; any second send would have been submitted before that.
    await sentRow(a.body.id);
    const again = await send(sender.token, body, { 'idempotency-key': 'k-1' });
    expect(again.body.id).toBe(a.body.id);
    await eventually(async () => (await getMessage(sender.token, a.body.id)).body.state === 'sent', 10_000, 'state sent');
    expect(smsc.submits.filter((m) => m.destination.addr === '79161110002')).toHaveLength(1);

    // The subscriber opts out after the first request: its retry still gets the first answer (new messages do not).
    await setOptOut(t.gw.db.db, { msisdn: '79161110002', scope: '5050', optedOut: true, channel: 'sms', at: new Date() });
    expect((await send(sender.token, body, { 'idempotency-key': 'k-1' })).body.id).toBe(a.body.id);
    expect((await send(sender.token, body, { 'idempotency-key': 'k-2' })).body.code).toBe('SCGW_OPTED_OUT');

    // Racing requests with one key: one message, one send.
    const race = await Promise.all(Array.from({ length: 5 }, () => send(sender.token, { ...body, to: '79161110012' }, { 'idempotency-key': 'k-race' })));
    expect(race.map((x) => x.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(race.map((x) => x.body.id)).size).toBe(1);
    await sentRow(race[0]!.body.id);
    await eventually(async () => (await getMessage(sender.token, race[0]!.body.id)).body.state === 'sent', 10_000, 'race sent');
    expect(smsc.submits.filter((m) => m.destination.addr === '79161110012')).toHaveLength(1);
  });

  it('derives a multipart message\'s state from its parts: delivered only when every part is, failed when one fails', async () => {
    const long = 'A'.repeat(200); // two GSM-7 segments of 153
    const ok = await send(sender.token, { from: 'ACME', to: '79161110003', text: long, callback_url: `${hookBase}/m` });
    expect(ok.status).toBe(202);
    const row = await sentRow(ok.body.id, 2);
    expect((await smsc.live().send('deliver_sm', receipt(row.messageIds![0]!, 2))).status).toBe(ESME.ROK);
    await eventually(async () => (await getMessage(sender.token, ok.body.id)).body.partStates.some((p) => p.state === 'delivered'), 10_000, 'part 1 delivered');
    const half = await getMessage(sender.token, ok.body.id);
    expect(half.body.state).toBe('sent');
    expect(half.body.parts).toBe(2);
    expect(half.body.partStates).toEqual([{ seq: 1, state: 'delivered' }, { seq: 2, state: 'sent' }]);
    expect((await smsc.live().send('deliver_sm', receipt(row.messageIds![1]!, 2))).status).toBe(ESME.ROK);
    await eventually(async () => (await getMessage(sender.token, ok.body.id)).body.state === 'delivered', 10_000, 'delivered');

    const bad = await send(sender.token, { from: 'ACME', to: '79161110004', text: long, callback_url: `${hookBase}/m` });
    const row2 = await sentRow(bad.body.id, 2);
    expect((await smsc.live().send('deliver_sm', receipt(row2.messageIds![1]!, 5))).status).toBe(ESME.ROK); // UNDELIVERABLE
    const failed = await eventually(async () => { const g = await getMessage(sender.token, bad.body.id); return g.body.state === 'failed' ? g : undefined; }, 10_000, 'failed');
    expect(failed.body.failedAt).toEqual(expect.any(String));
    // A late receipt cannot move a final state.
    expect((await smsc.live().send('deliver_sm', receipt(row2.messageIds![0]!, 2))).status).toBe(ESME.ROK);
    await eventually(async () => (await getMessage(sender.token, bad.body.id)).body.partStates[0]?.state === 'delivered', 10_000, 'late part receipt');
    expect((await getMessage(sender.token, bad.body.id)).body.state).toBe('failed');

    await callbacksSettled(ok.body.id, 2);
    await callbacksSettled(bad.body.id, 2);
    expect(hooks.received.filter((x) => x.body.id === ok.body.id).map((x) => x.body.state)).toEqual(['sent', 'delivered']);
    expect(hooks.received.filter((x) => x.body.id === bad.body.id).map((x) => x.body.state)).toEqual(['sent', 'failed']);
  });

  it('records an expired receipt as expired', async () => {
    const r = await send(sender.token, { from: '5050', to: '79161110005', text: 'expires', callback_url: `${hookBase}/e` });
    const row = await sentRow(r.body.id);
    expect((await smsc.live().send('deliver_sm', receipt(row.messageIds![0]!, 3))).status).toBe(ESME.ROK);
    const g = await eventually(async () => { const x = await getMessage(sender.token, r.body.id); return x.body.state === 'expired' ? x : undefined; }, 10_000, 'expired');
    expect(g.body.expiredAt).toEqual(expect.any(String));
    await callbacksSettled(r.body.id, 2);
    expect(hooks.received.filter((x) => x.body.id === r.body.id).map((x) => x.body.state)).toEqual(['sent', 'expired']);
  });

  it('retries a callback the receiver fails with 500 or leaves unanswered, and records one success per state', async () => {
    hooks.plan('/flaky', 'fail', 'fail', 'ok');
    const r = await send(sender.token, { from: '5050', to: '79161110006', text: 'flaky receiver', callback_url: `${hookBase}/flaky` });
    await sentRow(r.body.id);
    const [cb] = await callbacksSettled(r.body.id, 1);
    expect(cb!.doneAt).toBeInstanceOf(Date);
    expect(cb!.attempts).toBe(3);
    const got = hooks.received.filter((x) => x.body.id === r.body.id);
    expect(got.map((x) => x.answered)).toEqual([500, 500, 200]);
    expect(new Set(got.map((x) => x.headers['x-scgw-event-id'])).size).toBe(1); // one event, delivered until it took

    hooks.plan('/slow', 'hang', { slowMs: 50 });
    const s = await send(sender.token, { from: '5050', to: '79161110007', text: 'slow receiver', callback_url: `${hookBase}/slow` });
    await sentRow(s.body.id);
    const [scb] = await callbacksSettled(s.body.id, 1);
    expect(scb!.doneAt).toBeInstanceOf(Date);
    expect(scb!.attempts).toBe(2);
    expect(hooks.received.filter((x) => x.body.id === s.body.id).length).toBe(2);

    hooks.plan('/down', 'fail', 'fail', 'fail', 'fail', 'fail');
    const d = await send(sender.token, { from: '5050', to: '79161110008', text: 'receiver down', callback_url: `${hookBase}/down` });
    const [dcb] = await callbacksSettled(d.body.id, 1);
    expect(dcb!.gaveUpAt).toBeInstanceOf(Date);
    expect(dcb!.attempts).toBe(4); // CALLBACK_ATTEMPTS
    expect(dcb!.lastError).toContain('500');
  });

  it('enqueues again a due callback whose job was lost with Redis (the poll), and delivers it', async () => {
    const r = await send(sender.token, { from: '5050', to: '79161110009', text: 'lost job', callback_url: `${hookBase}/lost` });
    const [cb] = await callbacksSettled(r.body.id, 1);
    expect(hooks.received.filter((x) => x.path === '/lost')).toHaveLength(1);
    // As after a Redis restart that lost the queue: the row is due again (not done) and was enqueued long ago,
    // and its job is gone.
    const conn = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
    const q = new Queue(CALLBACK_QUEUE, { connection: conn, prefix: t.svc.prefix });
    try {
      await t.gw.db.db.update(apiCallbacks).set({ doneAt: null, enqueuedAt: sql`now() - interval '1 hour'` }).where(eq(apiCallbacks.id, cb!.id));
      await q.remove(`cb-${cb!.id}`);
    } finally { await q.close(); conn.disconnect(); }
    await callbacksSettled(r.body.id, 1);
    const got = hooks.received.filter((x) => x.path === '/lost');
    expect(got).toHaveLength(2);
    expect(got[1]!.headers['x-scgw-event-id']).toBe(String(cb!.id));
  });

  it('answers 429 with Retry-After past the rate or the daily quota', async () => {
    const rated = await makeToken('rated', { rate: { max: 1, per: 'minute' } });
    expect((await send(rated.token, { from: '5050', to: '79161110010', text: 'one' })).status).toBe(202);
    const over = await send(rated.token, { from: '5050', to: '79161110010', text: 'two' });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('SCGW_RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);

    const quota = await makeToken('quota', { dailyQuota: 2 });
    for (const n of [1, 2]) expect((await send(quota.token, { from: '5050', to: '79161110011', text: `q${n}` })).status).toBe(202);
    const out = await send(quota.token, { from: '5050', to: '79161110011', text: 'q3' });
    expect(out.status).toBe(429);
    expect(out.body.code).toBe('SCGW_QUOTA_EXCEEDED');
    expect(Number(out.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses what it must not send, each with a clear 4xx', async () => {
    expect((await send(sender.token, { from: '6060', to: '79161110020', text: 'x' })).status).toBe(403); // not an allowed source
    expect((await send('scgw_nonsense', { from: '5050', to: '79161110020', text: 'x' })).status).toBe(401);
    const reader = await admin('POST', '/admin/tokens', { name: 'reader', scopes: ['read'] });
    expect((await send(String(reader.body['token']), { from: '5050', to: '79161110020', text: 'x' })).status).toBe(403);
    const invalid = await send(sender.token, { from: '5050', to: '79161110020' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toContain('text');
    expect((await send(sender.token, { from: '5050', to: '4915112345678', text: 'abroad' })).body.code).toBe('SCGW_NOT_HOME');
    expect((await send(sender.token, { from: '5050', to: '79161110020', text: 'x', callback_url: 'ftp://example.com/x' })).status).toBe(422);

    await setOptOut(t.gw.db.db, { msisdn: '79161110021', scope: '5050', optedOut: true, channel: 'sms', at: new Date() });
    const opted = await send(sender.token, { from: '5050', to: '79161110021', text: 'promo' });
    expect(opted.status).toBe(422);
    expect(opted.body.code).toBe('SCGW_OPTED_OUT');
    expect(String(opted.body.message)).toContain('opted out');
    // Opted out of 5050 only: ACME may still send.
    expect((await send(sender.token, { from: 'ACME', to: '79161110021', text: 'ok' })).status).toBe(202);

    expect((await admin('POST', '/admin/blocklist', { pattern: '79161110022', note: 'test' })).status).toBe(201);
    const blocked = await eventually(async () => { const x = await send(sender.token, { from: '5050', to: '79161110022', text: 'x' }); return x.status === 422 ? x : undefined; }, 10_000, 'the block to apply');
    expect(blocked.body.code).toBe('SCGW_BLOCKED');
    expect(smsc.submits.some((m) => m.destination.addr === '79161110021' && m.source.addr === '5050')).toBe(false);
  });

  it('sends binary as 8-bit segments (concatenated by UDH) only on a link that allows binary', async () => {
    const octets = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff));
    const refused = await send(sender.token, { from: '5050', to: '79161110040', binary: octets.toString('base64') });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('SCGW_BINARY_NOT_ALLOWED');
    expect((await send(sender.token, { from: '5050', to: '79161110040', text: 'x', binary: 'AAAA' })).status).toBe(422);
    expect((await admin('PATCH', '/admin/links/up', { allowBinary: true })).status).toBe(200);
    const r = await eventually(async () => { const x = await send(sender.token, { from: '5050', to: '79161110040', binary: octets.toString('base64') }); return x.status === 202 ? x : undefined; }, 10_000, 'binary accepted');
    const parts = await eventually(() => { const p = smsc.submits.filter((m) => m.destination.addr === '79161110040'); return p.length === 2 ? p : undefined; }, 10_000, 'two binary segments');
    for (const p of parts) {
      expect(p.dataCoding).toBe(0x04);
      expect(p.esmClass & 0x40).toBe(0x40);
    }
    // 05 00 03 ref total seq, then the octets: joined in seq order they are the message.
    const joined = Buffer.concat([...parts].sort((a, b) => a.shortMessage[5]! - b.shortMessage[5]!).map((p) => p.shortMessage.subarray(6)));
    expect(joined.equals(octets)).toBe(true);
    await eventually(async () => (await getMessage(sender.token, r.body.id)).body.parts === 2, 10_000, 'two parts recorded');
  });

  it('shows a message only to the token that sent it', async () => {
    const r = await send(sender.token, { from: '5050', to: '79161110030', text: 'mine' });
    const other = await makeToken('other');
    expect((await getMessage(other.token, r.body.id)).status).toBe(404);
    expect((await getMessage(sender.token, r.body.id)).status).toBe(200);
    expect((await getMessage(sender.token, 'nosuchmessage')).status).toBe(404);
  });
});
