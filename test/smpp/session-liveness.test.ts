/**
 * A session whose peer stops answering looks bound until something notices: an unanswered message makes it
 * suspect, an enquire_link probe goes out at once, and the session closes when that is not answered either.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CMD, bindRaw, rawPdu } from '../support/smpp-peer.js';
import { startServer, until } from './harness.js';
import type { OutboundPdu } from '../../src/smpp/index.js';

const mt: OutboundPdu = { source: { addr: '232', ton: 3, npi: 0 }, destination: { addr: '79161234567', ton: 1, npi: 1 }, esmClass: 0, dataCoding: 0, shortMessage: Buffer.from('hi') };

let h: Awaited<ReturnType<typeof startServer>>;
afterEach(async () => h?.stop());

/** A bound raw peer; the session's own response timer (control traffic, keepalive) is long on purpose. */
async function boundPair(window = 10) {
  h = await startServer({ responseTimeoutMs: 30_000, authenticate: async () => ({ ok: true, link: 'test-link', window }) });
  const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
  await until(() => h.bound.length === 1);
  return { peer, session: h.bound[0]! };
}

describe('session liveness', () => {
  it('marks the session suspect when a message times out, probes at once, and clears it when the probe is answered', async () => {
    const { peer, session } = await boundPair();
    const sent = session.send('deliver_sm', mt, 150);
    expect((await peer.pdus.next()).commandId).toBe(CMD.deliver_sm);
    await expect(sent).rejects.toMatchObject({ code: 'SCGW_SMPP_TIMEOUT' });
    expect(session.suspect).toBe(true);
    const probe = await peer.pdus.next();
    expect(probe.commandId).toBe(CMD.enquire_link);
    const cleared = new Promise<void>((resolve) => session.onRoom(resolve));
    peer.socket.write(rawPdu(CMD.enquire_link_resp, probe.sequenceNumber));
    await cleared;
    expect(session.suspect).toBe(false);
    expect(session.bound).toBe(true);
  });

  it('closes the session when the probe goes unanswered too, long before the keepalive would', async () => {
    const { peer, session } = await boundPair();
    const sent = session.send('deliver_sm', mt, 150);
    await expect(sent).rejects.toMatchObject({ code: 'SCGW_SMPP_TIMEOUT' });
    expect((await peer.pdus.next()).commandId).toBe(CMD.deliver_sm);
    expect((await peer.pdus.next()).commandId).toBe(CMD.enquire_link);
    await peer.pdus.closed; // our FIN
    expect(session.bound).toBe(false);
  });

  it('reports window room and calls onRoom() subscribers when a slot frees', async () => {
    const { peer, session } = await boundPair(1);
    expect(session.hasRoom).toBe(true);
    const first = session.send('deliver_sm', mt);
    expect(session.hasRoom).toBe(false); // the slot is taken synchronously
    let woke = false;
    const room = new Promise<void>((resolve) => session.onRoom(resolve)).then(() => (woke = true));
    const req = await peer.pdus.next();
    expect(woke).toBe(false);
    peer.socket.write(rawPdu(CMD.deliver_sm_resp, req.sequenceNumber, Buffer.from([0])));
    await room;
    await expect(first).resolves.toMatchObject({ status: 0 });
    expect(session.hasRoom).toBe(true);
  });

  it('calls onRoom() subscribers when the session closes', async () => {
    const { peer, session } = await boundPair(1);
    void session.send('deliver_sm', mt).catch(() => {});
    const room = new Promise<void>((resolve) => session.onRoom(resolve));
    await peer.pdus.next();
    peer.socket.destroy();
    await room;
    expect(session.state).toBe('closed');
  });
});
