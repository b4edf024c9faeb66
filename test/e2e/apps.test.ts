/**
 * Issue 11, apps end to end: a keyword forwarded to a real HTTP app (test/support/app-server.ts) over real SMPP
 * (src/sim/phone.ts), real PostgreSQL and Redis. The app receives each MO once per attempt with one Idempotency-Key
 * and a signature an independent implementation accepts; its replies reach the phone once; retries, the fallback,
 * a gateway restart mid-retry and the circuit breaker.
 */
import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appForwards, outbox } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { startAppServer, verifySignature, type TestAppServer } from '../support/app-server.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { testServices, type TestServices } from '../support/services.js';

const SECRET = 'test-secret-0123456789abcdef';
let app: TestAppServer;
let t: TestGateway;
let phones: PhoneNetwork;
let crashNextCommit = false;

async function admin(g: TestGateway, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const res = await g.gw.app!.inject({
    method, url, headers: { authorization: `Bearer ${g.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: res.json() as any };
}

/** An app at `path` and a route `KEYWORD` on `shortCode` forwarding to it; waits until the workers route with it. */
async function appRoute(g: TestGateway, name: string, shortCode: string, keyword: string, fields: Record<string, unknown> = {}) {
  const a = await admin(g, 'POST', '/admin/apps', { name, url: app.url(`/${name}`), secret: SECRET, ...fields });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const r = await admin(g, 'POST', '/admin/routes', { id: `${shortCode}-${name}`, shortCode, kind: 'prefix', keywords: [keyword], priority: 10, action: 'app.forward', params: { app: name } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await eventually(async () => (await admin(g, 'POST', '/admin/dry-run', { from: '79160000000', to: shortCode, text: keyword })).body.action?.name === 'app.forward');
}

const forwardsOf = (g: TestGateway, msisdn: string) => g.gw.db.db.select().from(appForwards).where(eq(appForwards.msisdn, msisdn));

/** Quiet point: a help reply sent after the app's answer has arrived, so a second app reply would have too. */
async function settle(p: PhoneNetwork, msisdn: string, have: number) {
  await p.send(msisdn, '111', 'hello');
  const all = await p.waitFor(msisdn, have + 1, 20_000);
  return all.filter((m) => m.from !== '111');
}

beforeAll(async () => {
  app = await startAppServer();
  t = await startTestGateway({
    env: { APP_BREAKER_FAILURES: '3', APP_BREAKER_OPEN_S: '5', APP_SWEEP_AFTER_S: '1', APP_FORWARD_CONCURRENCY: '2' },
    faults: { afterCommit: () => { if (crashNextCommit) { crashNextCommit = false; throw new Error('simulated crash after commit'); } } },
  });
  await t.addLink('smsc1', 'secret1');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  await phones.connect();
}, 60_000);
afterAll(async () => {
  await phones?.close();
  await t?.stop();
  await app?.close();
});

describe('forwarding MO to an app', () => {
  it('PING to 4444: the app gets the MO once, signed, and the phone gets PONG once', async () => {
    app.on('/pong', (req) => ({ status: 200, type: 'text/plain; charset=utf-8', body: String(req.json?.keyword).toUpperCase() === 'PING' ? 'PONG' : '?' }));
    await appRoute(t, 'pong', '4444', 'PING');
    const dry = await admin(t, 'POST', '/admin/dry-run', { from: '79161110001', to: '4444', text: 'PING' });
    expect(dry.body).toMatchObject({ action: { name: 'app.forward', params: { app: 'pong' } }, replies: [], note: expect.stringContaining('forwarded to app pong') });
    const n = '79161110001';
    const [resp] = await phones.send(n, '4444', 'ping  hello world');
    expect(resp!.status).toBe(0);
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply).toMatchObject({ from: '4444', text: 'PONG' });

    const [req] = app.received('/pong');
    const [fw] = await forwardsOf(t, n);
    expect(req!.json).toEqual({
      id: fw!.id, msisdn: n, shortCode: '4444', keyword: 'ping', args: 'hello world', text: 'ping  hello world', link: 'smsc1',
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(fw!.id).toMatch(/^mo-[0-9a-f]{40}$/);
    expect(req!.headers['idempotency-key']).toBe(fw!.id);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(req!.headers['x-scgw-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(await verifySignature(SECRET, req!)).toBe(true);
    // The same check refuses a body changed by one character and a wrong secret: it can fail.
    expect(await verifySignature(SECRET, { ...req!, body: req!.body.replace('hello', 'hellp') })).toBe(false);
    expect(await verifySignature('another-secret-0123456789', req!)).toBe(false);
    expect(fw).toMatchObject({ state: 'done', attempts: 1, payload: null });

    const pongs = await settle(phones, n, 1);
    expect(pongs.map((m) => m.text)).toEqual(['PONG']);
    expect(app.received('/pong')).toHaveLength(1);
  });

  it('a re-run MO (crash right after its commit) forwards nothing new: one POST, one reply', async () => {
    const n = '79161110002';
    crashNextCommit = true;
    await phones.send(n, '4444', 'PING');
    await phones.waitFor(n, 1, 20_000);
    expect(crashNextCommit).toBe(false);
    const pongs = await settle(phones, n, 1);
    expect(pongs.map((m) => m.text)).toEqual(['PONG']);
    expect(app.received('/pong').filter((r) => r.json?.msisdn === n)).toHaveLength(1);
    expect(await forwardsOf(t, n)).toHaveLength(1);
  });

  it('500 twice, then OK: three POSTs with one Idempotency-Key, one reply', async () => {
    app.on('/flaky', (_req, before) => (before.length < 2 ? { status: 500, body: 'boom' } : { status: 200, type: 'application/json', body: JSON.stringify({ reply: 'OK after retries' }) }));
    await appRoute(t, 'flaky', '4445', 'FLAKY', { backoffMs: 100, maxAttempts: 5 });
    const n = '79161110003';
    await phones.send(n, '4445', 'FLAKY');
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply!.text).toBe('OK after retries');
    const reqs = app.received('/flaky');
    expect(reqs).toHaveLength(3);
    expect(new Set(reqs.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(reqs.map((r) => r.body)).size).toBe(1); // byte for byte the same body
    for (const r of reqs) expect(await verifySignature(SECRET, r)).toBe(true);
    expect((await forwardsOf(t, n))[0]).toMatchObject({ state: 'done', attempts: 3 });
    expect((await settle(phones, n, 1)).map((m) => m.text)).toEqual(['OK after retries']);
  });

  it('an app that answers slowly (within its timeout) with several replies: each reaches the phone once', async () => {
    app.on('/slow', () => ({ status: 200, type: 'application/json', body: JSON.stringify({ replies: ['first', 'second'] }), delayMs: 700 }));
    await appRoute(t, 'slow', '4446', 'SLOW', { timeoutMs: 5000 });
    const n = '79161110004';
    await phones.send(n, '4446', 'SLOW');
    const got = await phones.waitFor(n, 2, 20_000);
    expect(got.map((m) => m.text).sort()).toEqual(['first', 'second']);
    expect((await settle(phones, n, 2)).map((m) => m.text).sort()).toEqual(['first', 'second']);
    expect(app.received('/slow')).toHaveLength(1);
  });

  it('an app that always times out: the fallback once, after max_attempts POSTs', async () => {
    app.on('/dead', () => 'hang');
    await appRoute(t, 'dead', '4447', 'DEAD', { timeoutMs: 300, maxAttempts: 3, backoffMs: 100, fallbackText: 'Service busy, try later.' });
    const n = '79161110005';
    await phones.send(n, '4447', 'DEAD');
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply!.text).toBe('Service busy, try later.');
    expect(app.received('/dead')).toHaveLength(3);
    expect((await forwardsOf(t, n))[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'timeout after 300 ms', payload: null });
    expect((await settle(phones, n, 1)).map((m) => m.text)).toEqual(['Service busy, try later.']);
    expect(app.received('/dead')).toHaveLength(3);
  });

  it('a 4xx is final: the fallback template at once, without retries', async () => {
    app.on('/gone', () => ({ status: 410 }));
    await appRoute(t, 'gone', '4448', 'GONE', { maxAttempts: 5, backoffMs: 100 });
    const n = '79161110006';
    await phones.send(n, '4448', 'GONE');
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply!.text).toBe('Sorry, this service is not available right now. Please try again later.');
    expect((await forwardsOf(t, n))[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'HTTP 410' });
    const rows = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, n));
    expect(rows.map((r) => r.template)).toEqual(['app.fallback']);
  });

  it('a forward whose job was lost (committed, never queued) is found by the sweep and answered once', async () => {
    const n = '79161110007';
    const id = `mo-${'ab'.repeat(20)}`;
    const past = new Date(Date.now() - 10_000);
    await t.gw.db.db.insert(appForwards).values({
      id, app: 'pong', link: 'smsc1', shortCode: '4444', msisdn: n, corr: 'lost-job', locale: 'en', createdAt: past, updatedAt: past,
      payload: { id, msisdn: n, shortCode: '4444', keyword: 'PING', args: '', text: 'PING', link: 'smsc1', receivedAt: past.toISOString() },
    });
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply!.text).toBe('PONG');
    expect(app.received('/pong').filter((r) => r.headers['idempotency-key'] === id)).toHaveLength(1);
    expect((await settle(phones, n, 1)).map((m) => m.text)).toEqual(['PONG']);
  });

  it('an app at its concurrency cap holds no worker: its other forwards wait in the queue while another app is answered', async () => {
    const release: Array<() => void> = [];
    app.on('/busy', () => new Promise((ok) => { release.push(() => ok({ status: 200, type: 'text/plain', body: 'finally' })); }));
    await appRoute(t, 'busy', '4452', 'BUSY', { concurrency: 1, timeoutMs: 20_000 });
    const numbers = ['79161110041', '79161110042', '79161110043'];
    for (const n of numbers) await phones.send(n, '4452', 'BUSY');
    await app.waitFor('/busy', 1);
    // Two workers on this node (APP_FORWARD_CONCURRENCY=2), one held by the POST in flight; the two other BUSY
    // forwards wait as delayed jobs, so PING still finds a worker.
    const n = '79161110044';
    await phones.send(n, '4444', 'PING');
    expect((await phones.waitFor(n, 1, 20_000))[0]!.text).toBe('PONG');
    expect(app.received('/busy')).toHaveLength(1);
    // Released one at a time: each answer lets the next forward go, one POST per MO.
    for (let i = 1; i <= 3; i++) {
      await eventually(() => release.length === i, 20_000, `busy request ${i}`);
      release[i - 1]!();
    }
    for (const m of numbers) expect((await phones.waitFor(m, 1, 20_000))[0]!.text).toBe('finally');
    expect(app.received('/busy')).toHaveLength(3);
  });

  it('the circuit breaker opens after consecutive failures: forwards wait (no POST) and go once it closes', async () => {
    let healed = false;
    app.on('/down', () => (healed ? { status: 200, type: 'text/plain', body: 'UP' } : { status: 503 }));
    await appRoute(t, 'down', '4449', 'DOWN', { maxAttempts: 1, fallbackText: 'down' });
    const delayedOpen = async () => (await t.gw.metrics.registry.getSingleMetric('scgw_app_forwards_total')!.get()).values
      .find((v) => v.labels['app'] === 'down' && v.labels['outcome'] === 'delayed-open')?.value ?? 0;
    for (const n of ['79161110011', '79161110012', '79161110013']) await phones.send(n, '4449', 'DOWN');
    for (const n of ['79161110011', '79161110012', '79161110013']) expect((await phones.waitFor(n, 1, 20_000))[0]!.text).toBe('down');
    expect(app.received('/down')).toHaveLength(3);
    // Open now: the next forward is delayed instead of posted.
    const n = '79161110014';
    await phones.send(n, '4449', 'DOWN');
    await eventually(async () => (await delayedOpen()) > 0, 10_000, 'a forward delayed by the open breaker');
    expect(app.received('/down')).toHaveLength(3);
    expect((await forwardsOf(t, n))[0]).toMatchObject({ state: 'pending', attempts: 0 });
    healed = true;
    // After APP_BREAKER_OPEN_S one forward probes; it succeeds and closes the breaker.
    const [reply] = await phones.waitFor(n, 1, 20_000);
    expect(reply!.text).toBe('UP');
    expect(app.received('/down')).toHaveLength(4);
  });
});

describe('the README walkthrough app', () => {
  it('scripts/examples/pong-app.mjs answers PING with PONG, checking the signature with the secret scgw generated', async () => {
    const created = await admin(t, 'POST', '/admin/apps', { name: 'readme', url: 'http://127.0.0.1:1/sms' });
    expect(created.status).toBe(201);
    const child = spawn(process.execPath, ['scripts/examples/pong-app.mjs'], { env: { ...process.env, APP_SECRET: created.body.secret, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => { const m = /listening on (\S+)/.exec(d.toString()); if (m) resolve(m[1]!); });
        child.once('exit', (code) => reject(new Error(`pong app exited ${code}`)));
      });
      expect((await admin(t, 'PATCH', '/admin/apps/readme', { url })).status).toBe(200);
      const r = await admin(t, 'POST', '/admin/routes', { id: '4451-ping', shortCode: '4451', kind: 'prefix', keywords: ['PING'], action: 'app.forward', params: { app: 'readme' } });
      expect(r.status).toBe(201);
      await eventually(async () => (await admin(t, 'POST', '/admin/dry-run', { from: '79160000000', to: '4451', text: 'PING' })).body.action?.name === 'app.forward');
      const n = '79161110031';
      await phones.send(n, '4451', 'PING 42');
      expect((await phones.waitFor(n, 1, 20_000))[0]!.text).toBe('PONG 42');
      // A wrong secret: the app refuses (401), a final answer: the fallback.
      expect((await admin(t, 'PATCH', '/admin/apps/readme', { secret: 'not-the-apps-secret-0123' })).status).toBe(200);
      await phones.send(n, '4451', 'PING');
      const got = await phones.waitFor(n, 2, 20_000);
      expect(got[1]!.text).toBe('Sorry, this service is not available right now. Please try again later.');
    } finally {
      child.kill();
    }
  });
});

describe('a gateway restarted mid-retry', () => {
  it('the forward is posted again by the next gateway and answered once', async () => {
    const svc: TestServices = await testServices();
    let first: TestGateway | undefined = await startTestGateway({ svc });
    let second: TestGateway | undefined;
    let p1: PhoneNetwork | undefined;
    let p2: PhoneNetwork | undefined;
    try {
      await first.addLink('smsc2', 'secret2');
      app.on('/restart', (_req, before) => (before.length === 0 ? { status: 502 } : { status: 200, type: 'text/plain', body: 'after restart' }));
      await appRoute(first, 'restart', '4450', 'AGAIN', { backoffMs: 2000, maxAttempts: 3 });
      p1 = createPhoneNetwork({ host: '127.0.0.1', port: first.gw.smppPort, systemId: 'smsc2', password: 'secret2' });
      await p1.connect();
      const n = '79161110021';
      await p1.send(n, '4450', 'AGAIN');
      await app.waitFor('/restart', 1);
      // The first attempt failed; its retry waits out the backoff in Redis while the gateway stops.
      await eventually(async () => (await first!.gw.db.db.select().from(appForwards).where(eq(appForwards.msisdn, n)))[0]?.lastError === 'HTTP 502');
      await p1.close();
      p1 = undefined;
      await first.stop();
      first = undefined;
      second = await startTestGateway({ svc });
      p2 = createPhoneNetwork({ host: '127.0.0.1', port: second.gw.smppPort, systemId: 'smsc2', password: 'secret2' });
      await p2.connect();
      const [reply] = await p2.waitFor(n, 1, 30_000);
      expect(reply!.text).toBe('after restart');
      const reqs = app.received('/restart');
      expect(reqs).toHaveLength(2);
      expect(reqs[0]!.headers['idempotency-key']).toBe(reqs[1]!.headers['idempotency-key']);
      expect((await settle(p2, n, 1)).map((m) => m.text)).toEqual(['after restart']);
      expect((await second.gw.db.db.select().from(appForwards).where(eq(appForwards.msisdn, n)))[0]).toMatchObject({ state: 'done', attempts: 2 });
    } finally {
      await p1?.close();
      await p2?.close();
      await first?.stop();
      await second?.stop();
      await svc.cleanup();
    }
  }, 90_000);
});
