import { afterEach, describe, expect, it } from 'vitest';
import { ESME, RequestWindow, SmppStatusError, type OutboundPdu } from '../../src/smpp/index.js';
import { CMD, bindRaw, rawPdu } from '../support/smpp-peer.js';
import { startServer, until } from './harness.js';

const mt: OutboundPdu = { source: { addr: '232', ton: 3, npi: 0 }, destination: { addr: '79161234567', ton: 1, npi: 1 }, esmClass: 0, dataCoding: 0, shortMessage: Buffer.from('hi') };

describe('RequestWindow', () => {
  it('makes acquire wait while the window is full and lets it in when a response settles', async () => {
    const w = new RequestWindow<string>({ size: 1, timeoutMs: 1000 });
    await w.acquire();
    const first = w.track(1);
    let second = false;
    const next = w.acquire().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBe(false);
    expect(w.settle(1, 'resp')).toBe(true);
    await expect(first).resolves.toBe('resp');
    await next;
    expect(w.inFlight).toBe(1);
  });

  it('rejects a request with SCGW_SMPP_TIMEOUT when no response comes, and frees the slot', async () => {
    const w = new RequestWindow<string>({ size: 1, timeoutMs: 30 });
    await w.acquire();
    await expect(w.track(9)).rejects.toMatchObject({ code: 'SCGW_SMPP_TIMEOUT' });
    expect(w.inFlight).toBe(0);
    expect(w.settle(9, 'late')).toBe(false);
  });

  it('rejects pending requests and waiters with SCGW_SMPP_CLOSED on close, and later acquires too', async () => {
    const w = new RequestWindow<string>({ size: 1, timeoutMs: 1000 });
    await w.acquire();
    const pending = w.track(1);
    const waiting = w.acquire();
    w.close();
    await expect(pending).rejects.toMatchObject({ code: 'SCGW_SMPP_CLOSED' });
    await expect(waiting).rejects.toMatchObject({ code: 'SCGW_SMPP_CLOSED' });
    await expect(w.acquire()).rejects.toMatchObject({ code: 'SCGW_SMPP_CLOSED' });
  });
});

describe('SmppSession.send through the window', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => h?.stop());

  async function boundPair(window = 10) {
    h = await startServer({ responseTimeoutMs: 150, authenticate: async () => ({ ok: true, link: 'test-link', window }) });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    await until(() => h.bound.length === 1);
    return { peer, session: h.bound[0]! };
  }

  it('times out a deliver_sm nobody answers with SCGW_SMPP_TIMEOUT', async () => {
    const { peer, session } = await boundPair();
    const sent = session.send('deliver_sm', mt);
    expect((await peer.pdus.next()).commandId).toBe(CMD.deliver_sm);
    await expect(sent).rejects.toMatchObject({ code: 'SCGW_SMPP_TIMEOUT' });
  });

  it('rejects pending sends with SCGW_SMPP_CLOSED when the session closes', async () => {
    const { peer, session } = await boundPair();
    const sent = session.send('deliver_sm', mt);
    await peer.pdus.next();
    void session.close();
    await expect(sent).rejects.toMatchObject({ code: 'SCGW_SMPP_CLOSED' });
    await expect(session.send('deliver_sm', mt)).rejects.toMatchObject({ code: 'SCGW_SMPP_STATUS' }); // no longer bound
  });

  it('resolves with a non-zero resp status rather than throwing, and fails a request the peer generic_nacks', async () => {
    const { peer, session } = await boundPair();
    const a = session.send('deliver_sm', mt);
    const reqA = await peer.pdus.next();
    peer.socket.write(rawPdu(CMD.deliver_sm_resp, reqA.sequenceNumber, Buffer.alloc(0), ESME.RX_P_APPN));
    expect(await a).toEqual({ status: ESME.RX_P_APPN, messageId: '' });
    const b = session.send('deliver_sm', mt);
    const reqB = await peer.pdus.next();
    peer.socket.write(rawPdu(CMD.generic_nack, reqB.sequenceNumber, Buffer.alloc(0), ESME.RINVCMDLEN));
    const err = await b.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmppStatusError);
    expect(err).toMatchObject({ status: ESME.RINVCMDLEN });
  });

  it('keeps no more than the window outstanding', async () => {
    const { peer, session } = await boundPair(2);
    const sends = [1, 2, 3].map(() => session.send('deliver_sm', { ...mt }));
    const r1 = await peer.pdus.next();
    await peer.pdus.next();
    await expect(peer.pdus.next(80)).rejects.toThrow(/no PDU/);
    peer.socket.write(rawPdu(CMD.deliver_sm_resp, r1.sequenceNumber, Buffer.from([0])));
    const r3 = await peer.pdus.next();
    expect(r3.commandId).toBe(CMD.deliver_sm);
    await expect(sends[0]).resolves.toMatchObject({ status: 0 });
    await Promise.allSettled(sends);
  });

  it('refuses deliver_sm to a transmitter bind', async () => {
    h = await startServer();
    h.track(await bindRaw(h.port, 'esme', 'secret', CMD.bind_transmitter));
    await until(() => h.bound.length === 1);
    await expect(h.bound[0]!.send('deliver_sm', mt)).rejects.toMatchObject({ status: ESME.RINVBNDSTS });
  });

  it('closes a session whose peer leaves enquire_link unanswered', async () => {
    h = await startServer({ enquireLinkS: 0.05, responseTimeoutMs: 100 });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    expect((await peer.pdus.next()).commandId).toBe(CMD.enquire_link);
    await peer.pdus.closed;
  });
});
