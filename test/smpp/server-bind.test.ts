import { afterEach, describe, expect, it } from 'vitest';
import { ESME } from '../../src/smpp/index.js';
import { CMD, bindRaw, connectRaw, rawPdu, readCString, readPdus, submitSmBody } from '../support/smpp-peer.js';
import { startServer, until } from './harness.js';

let h: Awaited<ReturnType<typeof startServer>>;
afterEach(async () => h?.stop());

describe('smpp server: binds', () => {
  it.each([
    ['transceiver', CMD.bind_transceiver, CMD.bind_transceiver_resp],
    ['transmitter', CMD.bind_transmitter, CMD.bind_transmitter_resp],
    ['receiver', CMD.bind_receiver, CMD.bind_receiver_resp],
  ] as const)('binds a %s with good credentials and answers system_id "scgw"', async (kind, bindId, respId) => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret', bindId));
    expect(peer.resp.commandId).toBe(respId);
    expect(peer.resp.commandStatus).toBe(ESME.ROK);
    expect(peer.resp.sequenceNumber).toBe(1);
    expect(readCString(peer.resp.body)).toBe('scgw');
    expect(h.bound).toHaveLength(1);
    const s = h.bound[0]!;
    expect(s.bindKind).toBe(kind);
    expect(s.link).toBe('test-link');
    expect(s.canReceive).toBe(kind !== 'transmitter');
    expect(s.canTransmit).toBe(kind !== 'receiver');
  });

  it('refuses a wrong password with ESME_RINVPASWD, header only, and closes the socket', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'wrong'));
    expect(peer.resp.commandId).toBe(CMD.bind_transceiver_resp);
    expect(peer.resp.commandStatus).toBe(ESME.RINVPASWD);
    expect(peer.resp.commandLength).toBe(16);
    await peer.pdus.closed;
    expect(h.bound).toHaveLength(0);
  });

  it('refuses an unknown system_id with ESME_RINVSYSID', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'nobody', 'secret'));
    expect(peer.resp.commandStatus).toBe(ESME.RINVSYSID);
    await peer.pdus.closed;
  });

  it('refuses the bind with ESME_RBINDFAIL when authenticate throws', async () => {
    h = await startServer({ authenticate: async () => Promise.reject(new Error('db down')) });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    expect(peer.resp.commandStatus).toBe(ESME.RBINDFAIL);
    await peer.pdus.closed;
  });

  it('answers a second bind with ESME_RALYBND and keeps the session', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.bind_transceiver, 2, Buffer.concat([Buffer.from('esme\0secret\0\0'), Buffer.from([0x34, 0, 0, 0])])));
    const again = await peer.pdus.next();
    expect(again).toMatchObject({ commandId: CMD.bind_transceiver_resp, commandStatus: ESME.RALYBND, sequenceNumber: 2 });
    peer.socket.write(rawPdu(CMD.enquire_link, 3));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, commandStatus: 0, sequenceNumber: 3 });
  });

  it('answers submit_sm before bind with ESME_RINVBNDSTS', async () => {
    h = await startServer();
    const socket = await connectRaw(h.port);
    h.track({ socket });
    const pdus = readPdus(socket);
    socket.write(rawPdu(CMD.submit_sm, 7, submitSmBody({ source: { addr: '79161234567' }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') })));
    expect(await pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.RINVBNDSTS, sequenceNumber: 7, commandLength: 16 });
    expect(h.messages).toHaveLength(0);
  });

  it('answers enquire_link before bind with ESME_RINVBNDSTS (only bind is legal in OPEN)', async () => {
    h = await startServer();
    const socket = await connectRaw(h.port);
    h.track({ socket });
    const pdus = readPdus(socket);
    socket.write(rawPdu(CMD.enquire_link, 4));
    expect(await pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, commandStatus: ESME.RINVBNDSTS, sequenceNumber: 4 });
  });

  it('answers submit_sm on a receiver bind with ESME_RINVBNDSTS', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret', CMD.bind_receiver));
    peer.socket.write(rawPdu(CMD.submit_sm, 2, submitSmBody({ source: { addr: '79161234567' }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') })));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.RINVBNDSTS, sequenceNumber: 2 });
    expect(h.messages).toHaveLength(0);
  });

  it('accepts deliver_sm from a receiver bind (operators differ in which bind carries MO)', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret', CMD.bind_receiver));
    peer.socket.write(rawPdu(CMD.deliver_sm, 2, submitSmBody({ source: { addr: '79161234567' }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') })));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.deliver_sm_resp, commandStatus: ESME.ROK, sequenceNumber: 2 });
    expect(h.messages).toHaveLength(1);
  });

  it('closes a connection that does not bind within sessionInitS', async () => {
    h = await startServer({ sessionInitS: 0.2 });
    const socket = await connectRaw(h.port);
    h.track({ socket });
    const pdus = readPdus(socket);
    await pdus.closed;
    await until(() => h.server.sessions().length === 0);
  });
});
