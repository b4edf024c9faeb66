/**
 * Hostile SMPP peers, bind side (scgw issue 10 item 4): a bind cannot tell an unknown system_id from a wrong
 * password or a refused source, repeated failures lock out, a link takes at most max_sessions binds, and
 * connections are capped in total and per source address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { CMD, rawPdu } from '../support/smpp-peer.js';
import { bindFrom, connectFrom, metric, refusedStatus } from './smpp-support.js';

const RBINDFAIL = 0x0d;
const failures = (t: TestGateway, reason: string) => metric(t.gw, 'scgw_smpp_bind_failures_total', { reason });

describe('bind refusals and lockout', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      env: { SMPP_BIND_FAILURES_PER_ID: '3', SMPP_BIND_FAILURES_PER_SOURCE: '5', SMPP_BIND_LOCKOUT_S: '2', SMPP_BIND_FAILURE_DELAY_MS: '0' },
    });
    await t.addLink('smsc', 'pw');
    await t.addLink('fenced', 'pw', { allowedSources: ['10.0.0.0/8'] });
    await t.addLink('off', 'pw', { enabled: false });
    await t.addLink('outward', 'pw', { direction: 'connect', host: '127.0.0.1', port: 1 });
    await t.addLink('victim', 'pw');
    await t.addLink('bystander', 'pw');
    await t.addLink('pair', 'pw');
    await t.addLink('trio', 'pw', { maxSessions: 3 } as never);
  });
  afterAll(async () => { await t?.stop(); });

  it.each([
    ['nobody', 'pw', '127.0.1.1', 'unknown'],
    ['smsc', 'wrong', '127.0.1.2', 'password'],
    ['fenced', 'pw', '127.0.1.3', 'source'],
    ['fenced', 'wrong', '127.0.1.4', 'source'],
    ['off', 'pw', '127.0.1.5', 'disabled'],
    ['outward', 'pw', '127.0.1.6', 'disabled'],
  ])('%s/%s from %s → ESME_RBINDFAIL, counted as %s', async (systemId, password, from, reason) => {
    const before = await failures(t, reason);
    expect(await refusedStatus(t.gw.smppPort, systemId, password, from)).toBe(RBINDFAIL);
    // The reason shows which check refused: a source outside allowed_sources is refused before any password check.
    expect(await failures(t, reason)).toBe(before + 1);
  });

  it('checks the source allowlist before the password: a right and a wrong password look alike from outside it', async () => {
    const passwordChecks = await failures(t, 'password');
    expect(await refusedStatus(t.gw.smppPort, 'fenced', 'pw', '127.0.1.7')).toBe(RBINDFAIL);
    expect(await refusedStatus(t.gw.smppPort, 'fenced', 'nope', '127.0.1.8')).toBe(RBINDFAIL);
    expect(await failures(t, 'password')).toBe(passwordChecks);
  });

  it('locks a system_id out after SMPP_BIND_FAILURES_PER_ID failures from any sources; the right password is refused too, until the lockout ends', async () => {
    for (const from of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) {
      expect(await refusedStatus(t.gw.smppPort, 'victim', 'guess', from)).toBe(RBINDFAIL);
    }
    const locked = await failures(t, 'locked');
    expect(await refusedStatus(t.gw.smppPort, 'victim', 'pw', '127.0.2.4')).toBe(RBINDFAIL);
    expect(await failures(t, 'locked')).toBe(locked + 1);
    // Another link from the same source is not affected.
    const other = await bindFrom(t.gw.smppPort, 'bystander', 'pw', '127.0.2.4');
    expect(other.resp.commandStatus).toBe(0);
    other.socket.destroy();
    // Refusals while locked do not extend the lockout: a peer that keeps retrying gets in once it ends.
    const back = await eventually(async () => {
      const b = await bindFrom(t.gw.smppPort, 'victim', 'pw', '127.0.2.4');
      if (b.resp.commandStatus === 0) return b;
      b.socket.destroy();
      return null;
    }, 15_000, 'the lockout to end');
    back.socket.destroy();
  });

  it('locks a source address out after SMPP_BIND_FAILURES_PER_SOURCE failures, whatever system_ids it tried', async () => {
    for (let i = 0; i < 5; i++) expect(await refusedStatus(t.gw.smppPort, `ghost${i}`, 'pw', '127.0.3.1')).toBe(RBINDFAIL);
    const locked = await failures(t, 'locked');
    expect(await refusedStatus(t.gw.smppPort, 'smsc', 'pw', '127.0.3.1')).toBe(RBINDFAIL);
    expect(await failures(t, 'locked')).toBe(locked + 1);
    const elsewhere = await bindFrom(t.gw.smppPort, 'smsc', 'pw', '127.0.3.2');
    expect(elsewhere.resp.commandStatus).toBe(0);
    elsewhere.socket.destroy();
  });

  it('refuses a third session on a link with the default max_sessions 2, and takes it once one is gone', async () => {
    const a = await bindFrom(t.gw.smppPort, 'pair', 'pw', '127.0.4.1');
    const b = await bindFrom(t.gw.smppPort, 'pair', 'pw', '127.0.4.2');
    expect([a.resp.commandStatus, b.resp.commandStatus]).toEqual([0, 0]);
    const before = await failures(t, 'sessions');
    expect(await refusedStatus(t.gw.smppPort, 'pair', 'pw', '127.0.4.3')).toBe(RBINDFAIL);
    expect(await failures(t, 'sessions')).toBe(before + 1);
    a.socket.destroy();
    const c = await eventually(async () => {
      const s = await bindFrom(t.gw.smppPort, 'pair', 'pw', '127.0.4.3');
      if (s.resp.commandStatus === 0) return s;
      s.socket.destroy();
      return null;
    }, 10_000, 'a free session slot');
    b.socket.destroy();
    c.socket.destroy();
  });

  it('honours a link\'s own max_sessions', async () => {
    const peers = [];
    for (const from of ['127.0.5.1', '127.0.5.2', '127.0.5.3']) {
      const p = await bindFrom(t.gw.smppPort, 'trio', 'pw', from);
      expect(p.resp.commandStatus).toBe(0);
      peers.push(p);
    }
    expect(await refusedStatus(t.gw.smppPort, 'trio', 'pw', '127.0.5.4')).toBe(RBINDFAIL);
    for (const p of peers) p.socket.destroy();
  });
});

describe('connection caps and backoff', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { SMPP_MAX_CONNECTIONS: '5', SMPP_MAX_CONNECTIONS_PER_SOURCE: '3', SMPP_BIND_FAILURE_DELAY_MS: '300' } });
  });

  it('answers each failed bind only after a delay that doubles with the failures of its source', async () => {
    // Lower bounds of a deliberate delay, not a speed: the answer cannot come sooner.
    for (const atLeast of [300, 600]) {
      const started = Date.now();
      expect(await refusedStatus(t.gw.smppPort, 'nobody', 'pw', '127.0.7.1')).toBe(RBINDFAIL);
      expect(Date.now() - started).toBeGreaterThanOrEqual(atLeast);
    }
  });
  afterAll(async () => { await t?.stop(); });

  /** A connection the listener took: an enquire_link before bind is answered (ESME_RINVBNDSTS). */
  async function open(from: string) {
    const c = await connectFrom(t.gw.smppPort, from);
    c.socket.write(rawPdu(CMD.enquire_link, 1));
    const resp = await c.pdus.next(5000).catch(() => null);
    return { ...c, answered: resp !== null };
  }

  it('closes a connection beyond SMPP_MAX_CONNECTIONS_PER_SOURCE at once, and one beyond SMPP_MAX_CONNECTIONS from any source', async () => {
    const kept = [];
    for (let i = 0; i < 3; i++) kept.push(await open('127.0.6.1'));
    expect(kept.every((k) => k.answered)).toBe(true);
    const fourth = await open('127.0.6.1');
    expect(fourth.answered).toBe(false);
    await fourth.pdus.closed;
    expect(await metric(t.gw, 'scgw_smpp_connections_refused_total', { reason: 'per-source' })).toBe(1);

    for (let i = 0; i < 2; i++) kept.push(await open('127.0.6.2'));
    expect(kept.every((k) => k.answered)).toBe(true);
    const sixth = await open('127.0.6.3');
    expect(sixth.answered).toBe(false);
    await sixth.pdus.closed;
    expect(await metric(t.gw, 'scgw_smpp_connections_refused_total', { reason: 'total' })).toBe(1);

    // Capacity comes back when a connection goes.
    kept.shift()!.socket.destroy();
    const again = await eventually(async () => {
      const c = await open('127.0.6.3');
      if (c.answered) return c;
      c.socket.destroy();
      return null;
    }, 10_000, 'a free connection slot');
    again.socket.destroy();
    for (const k of kept) k.socket.destroy();
  });
});
