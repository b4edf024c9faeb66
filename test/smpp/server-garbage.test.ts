import { afterEach, describe, expect, it } from 'vitest';
import { ESME } from '../../src/smpp/index.js';
import { CMD, bindRaw, rawHeader, rawPdu, submitSmBody, tlv } from '../support/smpp-peer.js';
import { startServer } from './harness.js';

let h: Awaited<ReturnType<typeof startServer>>;
afterEach(async () => h?.stop());

const submit = submitSmBody({ source: { addr: '79161234567', ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') });

describe('smpp server: garbage on the wire', () => {
  it('answers enquire_link with enquire_link_resp once bound', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.enquire_link, 42));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, commandStatus: 0, sequenceNumber: 42, commandLength: 16 });
  });

  it('answers unbind with unbind_resp and closes the session', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.unbind, 9));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.unbind_resp, commandStatus: 0, sequenceNumber: 9 });
    await peer.pdus.closed;
  });

  it('nacks an unknown command_id with ESME_RINVCMDID and keeps answering enquire_link', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(0x00000777, 5, Buffer.from([1, 2, 3])));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDID, sequenceNumber: 5 });
    peer.socket.write(rawPdu(CMD.enquire_link, 6));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, sequenceNumber: 6 });
  });

  it('never answers an unknown response id (a generic_nack is itself a response)', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(0x80000777, 5));
    peer.socket.write(rawPdu(CMD.enquire_link, 6));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, sequenceNumber: 6 });
  });

  it.each([
    ['0xFFFFFFFF', 0xffffffff],
    ['8', 8],
    ['16385 (over the cap)', 16385],
  ])('nacks command_length %s with ESME_RINVCMDLEN and closes only that session', async (_label, length) => {
    h = await startServer();
    const good = h.track(await bindRaw(h.port, 'esme', 'secret'));
    const bad = h.track(await bindRaw(h.port, 'esme', 'secret'));
    bad.socket.write(rawHeader(length, CMD.submit_sm, 77));
    const nack = await bad.pdus.next();
    expect(nack).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDLEN, sequenceNumber: 77, commandLength: 16 });
    await bad.pdus.closed;
    good.socket.write(rawPdu(CMD.enquire_link, 2));
    expect(await good.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, sequenceNumber: 2 });
    good.socket.write(rawPdu(CMD.submit_sm, 3, submit));
    expect(await good.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.ROK, sequenceNumber: 3 });
  });

  it('nacks a bad command_length with sequence 0 when the header is cut short, then closes', async () => {
    h = await startServer();
    const bad = h.track(await bindRaw(h.port, 'esme', 'secret'));
    bad.socket.write(Buffer.from([0, 0, 0, 3, 0, 0]));
    expect(await bad.pdus.next()).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDLEN, sequenceNumber: 0 });
    await bad.pdus.closed;
  });

  it('honours a lower maxPduLength (Kannel caps at 7424)', async () => {
    h = await startServer({ maxPduLength: 7424 });
    const bad = h.track(await bindRaw(h.port, 'esme', 'secret'));
    bad.socket.write(rawHeader(7425, CMD.submit_sm, 8));
    expect(await bad.pdus.next()).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDLEN, sequenceNumber: 8 });
    await bad.pdus.closed;
  });

  it('answers a truncated submit_sm body with ESME_RINVMSGLEN and the session survives', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.submit_sm, 4, Buffer.from([0]))); // command_length 17: service_type only
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.RINVMSGLEN, sequenceNumber: 4 });
    peer.socket.write(rawPdu(CMD.submit_sm, 5, submit.subarray(0, 20))); // stops inside destination_addr: no data_coding, no short_message
    expect((await peer.pdus.next()).commandStatus).toBe(ESME.RINVMSGLEN);
    peer.socket.write(rawPdu(CMD.enquire_link, 6));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, sequenceNumber: 6 });
    expect(h.messages).toHaveLength(0);
  });

  it('answers a TLV that runs past the end with ESME_RINVOPTPARSTREAM and the session survives', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    // sar_msg_ref_num (0x020C, u16) declaring 2 octets with only 1 present: node-smpp throws reading it.
    const body = Buffer.concat([submit, Buffer.from([0x02, 0x0c, 0x00, 0x02, 0x01])]);
    peer.socket.write(rawPdu(CMD.submit_sm, 4, body));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.RINVOPTPARSTREAM, sequenceNumber: 4 });
    peer.socket.write(rawPdu(CMD.enquire_link, 5));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.enquire_link_resp, sequenceNumber: 5 });
  });

  it('ignores a well-formed unknown TLV and accepts the message', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.submit_sm, 4, Buffer.concat([submit, tlv(0x1499, Buffer.from([9, 9, 9]))])));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.ROK });
    expect(h.messages).toHaveLength(1);
  });

  it('refuses short_message together with message_payload with ESME_RINVMSGLEN', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    const body = submitSmBody({ source: { addr: '7916' }, destination: { addr: '232' }, shortMessage: Buffer.from('ON'), tlvs: [{ tag: 0x0424, value: Buffer.from('OFF') }] });
    peer.socket.write(rawPdu(CMD.submit_sm, 4, body));
    expect(await peer.pdus.next()).toMatchObject({ commandStatus: ESME.RINVMSGLEN, sequenceNumber: 4 });
    expect(h.messages).toHaveLength(0);
  });

  it('survives a peer that resets the connection', async () => {
    h = await startServer();
    const peer = await bindRaw(h.port, 'esme', 'secret');
    peer.socket.resetAndDestroy();
    const other = h.track(await bindRaw(h.port, 'esme', 'secret'));
    expect(other.resp.commandStatus).toBe(ESME.ROK);
  });
});
