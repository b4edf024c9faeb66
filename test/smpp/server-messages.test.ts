import { afterEach, describe, expect, it } from 'vitest';
import { ScgwError } from '../../src/errors.js';
import { ESME, SmppStatusError, type InboundMessage } from '../../src/smpp/index.js';
import { CMD, bindRaw, cstring, rawPdu, readCString, submitSmBody } from '../support/smpp-peer.js';
import { startServer, until } from './harness.js';

let h: Awaited<ReturnType<typeof startServer>>;
afterEach(async () => h?.stop());

const UDH = Buffer.from([0x05, 0x00, 0x03, 0xa7, 0x02, 0x01]);
const UCS2 = Buffer.from('Привет', 'utf16le').swap16(); // UCS-2BE
const body = (sm: Buffer = Buffer.from('ON')) => submitSmBody({ source: { addr: '79161234567', ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: sm });

describe('smpp server: messages and acks', () => {
  it('answers submit_sm with status 0 and a message_id once onMessage resolved', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.submit_sm, 2, body()));
    const resp = await peer.pdus.next();
    expect(resp).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.ROK, sequenceNumber: 2 });
    expect(readCString(resp.body)).toMatch(/^[\w-]{21}$/);
    expect(h.messages).toHaveLength(1);
  });

  it('does not answer until onMessage settles, and answers ESME_RMSGQFUL (never 0) when it rejects', async () => {
    let fail!: (e: Error) => void;
    let calls = 0;
    h = await startServer({
      onMessage: () => {
        calls++;
        return new Promise<void>((_, reject) => (fail = reject));
      },
    });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.submit_sm, 2, body()));
    await until(() => calls === 1);
    await expect(peer.pdus.next(200)).rejects.toThrow(/no PDU/);
    fail(new ScgwError('SCGW_REDIS_UNAVAILABLE', 'redis down'));
    expect(await peer.pdus.next()).toMatchObject({ commandId: CMD.submit_sm_resp, commandStatus: ESME.RMSGQFUL, sequenceNumber: 2, commandLength: 16 });
  });

  it.each([
    ['a queue timeout', new ScgwError('SCGW_QUEUE_TIMEOUT', 'slow'), ESME.RMSGQFUL],
    ['an unknown short code', new ScgwError('SCGW_UNKNOWN_SHORT_CODE', 'no route'), ESME.RINVDSTADR],
    ['a plain Error', new Error('bug'), ESME.RSYSERR],
    ['an SmppStatusError', new SmppStatusError(ESME.RTHROTTLED), ESME.RTHROTTLED],
  ])('answers %s from onMessage with its status', async (_label, err, status) => {
    h = await startServer({ onMessage: async () => Promise.reject(err) });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    peer.socket.write(rawPdu(CMD.submit_sm, 2, body()));
    expect((await peer.pdus.next()).commandStatus).toBe(status);
  });

  it('hands over short_message byte-identical, UDH included, with the PDU fields and TLVs', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    const sm = Buffer.concat([UDH, UCS2]);
    const pdu = submitSmBody({
      source: { addr: '79161234567', ton: 1, npi: 1 },
      destination: { addr: '232', ton: 3, npi: 0 },
      esmClass: 0x40,
      dataCoding: 8,
      registeredDelivery: 1,
      serviceType: 'USSD',
      shortMessage: sm,
      tlvs: [
        { tag: 0x0501, value: Buffer.from([0x01]) }, // ussd_service_op PSSR indication
        { tag: 0x1383, value: Buffer.from([0x2a, 0x01]) }, // its_session_info
        { tag: 0x020c, value: Buffer.from([0x00, 0xa7]) }, // sar_msg_ref_num
        { tag: 0x020e, value: Buffer.from([2]) },
        { tag: 0x020f, value: Buffer.from([1]) },
        { tag: 0x020a, value: Buffer.from([0x0b, 0x84]) }, // source_port 2948
      ],
    });
    peer.socket.write(rawPdu(CMD.submit_sm, 2, pdu));
    expect((await peer.pdus.next()).commandStatus).toBe(ESME.ROK);
    const m = h.messages[0]!;
    expect(Buffer.compare(m.shortMessage, sm)).toBe(0);
    expect(m).toMatchObject<Partial<InboundMessage>>({
      link: 'test-link',
      sessionId: h.bound[0]!.id,
      commandId: 'submit_sm',
      sequenceNumber: 2,
      serviceType: 'USSD',
      source: { addr: '79161234567', ton: 1, npi: 1 },
      destination: { addr: '232', ton: 3, npi: 0 },
      esmClass: 0x40,
      dataCoding: 8,
      registeredDelivery: 1,
      tlvs: { ussdServiceOp: 1, itsSessionInfo: 0x2a01, sarMsgRefNum: 0xa7, sarTotalSegments: 2, sarSegmentSeqnum: 1, sourcePort: 2948 },
    });
  });

  it('takes message_payload with an empty short_message and data_sm, answering data_sm_resp', async () => {
    h = await startServer();
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    const payload = Buffer.alloc(600, 0x41);
    peer.socket.write(rawPdu(CMD.submit_sm, 2, submitSmBody({ source: { addr: '7916' }, destination: { addr: '232' }, shortMessage: Buffer.alloc(0), tlvs: [{ tag: 0x0424, value: payload }] })));
    expect((await peer.pdus.next()).commandStatus).toBe(ESME.ROK);
    const dataSm = Buffer.concat([cstring(''), Buffer.from([1, 1]), cstring('7916'), Buffer.from([0, 0]), cstring('111'), Buffer.from([0, 0, 0]), Buffer.from([0x04, 0x24, 0x00, 0x02, 0x31, 0x31])]);
    peer.socket.write(rawPdu(CMD.data_sm, 3, dataSm));
    const resp = await peer.pdus.next();
    expect(resp).toMatchObject({ commandId: CMD.data_sm_resp, commandStatus: ESME.ROK, sequenceNumber: 3 });
    expect(readCString(resp.body)).toBe('');
    expect(h.messages[0]!.tlvs.messagePayload?.equals(payload)).toBe(true);
    expect(h.messages[0]!.shortMessage).toHaveLength(0);
    expect(h.messages[1]).toMatchObject({ commandId: 'data_sm', destination: { addr: '111' } });
    expect(h.messages[1]!.tlvs.messagePayload?.toString()).toBe('11');
  });

  it('tells onMessage when a message takes the last place in the session\'s window (the peer sends no more until answered)', async () => {
    const full: Array<[number, boolean]> = [];
    const release: (() => void)[] = [];
    h = await startServer({
      authenticate: async () => ({ ok: true, link: 'test-link', window: 3 }),
      onMessage: (m, o) => new Promise<void>((resolve) => { full.push([m.sequenceNumber, o.windowFull]); release.push(resolve); }),
    });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    for (let seq = 2; seq <= 4; seq++) peer.socket.write(rawPdu(CMD.submit_sm, seq, body()));
    await until(() => release.length === 3);
    release.shift()!(); // one answered: one place free again
    await peer.pdus.next();
    peer.socket.write(rawPdu(CMD.submit_sm, 5, body()));
    await until(() => full.length === 4);
    expect(full).toEqual([[2, false], [3, false], [4, true], [5, true]]);
    for (const r of release.splice(0)) r();
  });

  it('stops reading while a full window of messages waits on onMessage, then catches up in order', async () => {
    const release: (() => void)[] = [];
    h = await startServer({
      authenticate: async () => ({ ok: true, link: 'test-link', window: 2 }),
      onMessage: (m) => new Promise<void>((resolve) => release.push(() => (h.messages.push(m), resolve()))),
    });
    const peer = h.track(await bindRaw(h.port, 'esme', 'secret'));
    for (let seq = 2; seq <= 6; seq++) peer.socket.write(rawPdu(CMD.submit_sm, seq, body()));
    await until(() => release.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(release).toHaveLength(2); // the window is 2: the rest waits in the socket
    while (h.messages.length < 5) {
      await until(() => release.length > 0);
      release.shift()!();
    }
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push((await peer.pdus.next()).sequenceNumber);
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect(h.messages.map((m) => m.sequenceNumber)).toEqual([2, 3, 4, 5, 6]);
  });
});
