import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/sim/load.js';
import { SmppStatusError } from '../../src/smpp/status.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let peer: { host: string; port: number; systemId: string; password: string };

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink('simload', 'loadpw', { ratePerSecond: 10_000, window: 20, maxSessions: 8, moRatePerSecond: null });
  peer = { host: '127.0.0.1', port: t.gw.smppPort, systemId: 'simload', password: 'loadpw' };
});
afterAll(async () => {
  await t?.stop();
});

describe('runLoad against a real gateway', () => {
  it('200 subscribers texting an unknown keyword to 232 each get exactly one help reply', async () => {
    const r = await runLoad({ ...peer, count: 200, window: 10, text: 'hello', msisdnBase: 79_010_000_000, expect: /^SMS archive, 232: /, timeoutS: 60 });
    expect(r).toMatchObject({ sent: 200, acked: 200, refused: 0, unanswered: 0, replied: 200, lost: 0, duplicates: 0, unmatched: 0, textMismatch: 0, endReason: 'complete' });
    expect(r.latencyMs?.p50).toBeGreaterThan(0);
    expect(r.throughputRps).toBeGreaterThan(0);
    expect(r.sampleReply).toMatch(/^SMS archive, 232: /);
  });

  it('ON from 100 numbers at window 50 gives each number one password', async () => {
    const r = await runLoad({ ...peer, count: 100, window: 50, text: 'ON', msisdnBase: 79_020_000_000, expect: /^SMS archive is on\. Password: [a-z0-9]{8,}\. /, timeoutS: 60 });
    expect(r).toMatchObject({ acked: 100, replied: 100, lost: 0, duplicates: 0, textMismatch: 0, endReason: 'complete' });
  });

  it('spreads the MO over several sessions, in UCS-2, under a rate cap, and still matches every reply', async () => {
    const r = await runLoad({ ...peer, count: 60, window: 5, sessions: 3, rate: 500, ucs2: true, text: 'привет', msisdnBase: 79_030_000_000, expect: /^SMS-архив, 232: ПЕР/, timeoutS: 60 });
    expect(r).toMatchObject({ sessions: 3, rate: 500, acked: 60, replied: 60, lost: 0, duplicates: 0, unmatched: 0, textMismatch: 0 });
  });

  it('counts MO the gateway refuses by status name, and none of them as lost', async () => {
    const r = await runLoad({ ...peer, count: 20, window: 5, to: '9999', msisdnBase: 79_040_000_000, timeoutS: 30 });
    expect(r).toMatchObject({ sent: 20, acked: 0, refused: 20, refusedByStatus: { ESME_RINVDSTADR: 20 }, replied: 0, lost: 0, endReason: 'complete' });
    expect(r.latencyMs).toBeNull();
  });

  it('counts replies that do not match --expect', async () => {
    const r = await runLoad({ ...peer, count: 10, window: 5, text: 'hello', msisdnBase: 79_050_000_000, expect: /^no such reply$/, timeoutS: 30 });
    expect(r).toMatchObject({ replied: 10, lost: 0, textMismatch: 10 });
  });

  it('throws the bind status when the link refuses the password', async () => {
    const err = await runLoad({ ...peer, password: 'wrong', count: 1, window: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmppStatusError);
    expect((err as SmppStatusError).message).toContain('ESME_RBINDFAIL');
  });
});
