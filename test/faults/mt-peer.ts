/**
 * A raw operator-side ESME for the MT fault tests: binds to the gateway, sends MO as submit_sm and answers
 * (or, on purpose, does not answer) the replies that come back as deliver_sm. Raw bytes, not src/smpp, so the
 * peer's behaviour is exactly what the test says.
 */
import { CMD, bindRaw, rawPdu, submitSmBody, type RawPdu, type RawSession } from '../support/smpp-peer.js';

export interface ReceivedPdu {
  seq: number;
  destination: string;
  esmClass: number;
  dataCoding: number;
  shortMessage: Buffer;
  /** The status we answered; undefined when we stayed silent. */
  status: number | undefined;
  messageId: string;
  at: number;
}

export interface MtPeer {
  raw: RawSession;
  received: ReceivedPdu[];
  /** Sends one MO; resolves with the submit_sm_resp status. */
  sendMo(from: string, to: string, text: string): Promise<number>;
  /** From now on deliver_sm get no answer (enquire_link neither): a peer that abandoned its socket. */
  goSilent(): void;
  close(): void;
}

/** `answer` picks each deliver_sm's status (the nth deliver_sm received, 0-based); undefined = stay silent. */
export async function mtPeer(port: number, systemId: string, password: string, answer: (p: ReceivedPdu, nth: number) => number | undefined = () => 0): Promise<MtPeer> {
  const raw = await bindRaw(port, systemId, password);
  if (raw.resp.commandStatus !== 0) throw new Error(`bind refused: ${raw.resp.commandStatus}`);
  const received: ReceivedPdu[] = [];
  const moWaiters = new Map<number, (status: number) => void>();
  let silent = false;
  let seq = 100;
  let ids = 0;
  void (async () => {
    // Not `for await`: that iterator ends at the first 3 s without a PDU.
    for (;;) {
      let pdu: RawPdu;
      try {
        pdu = await raw.pdus.next(3_600_000);
      } catch {
        return; // closed
      }
      if (pdu.commandId === CMD.submit_sm_resp) moWaiters.get(pdu.sequenceNumber)?.(pdu.commandStatus);
      else if (pdu.commandId === CMD.enquire_link && !silent) raw.socket.write(rawPdu(CMD.enquire_link_resp, pdu.sequenceNumber));
      else if (pdu.commandId === CMD.deliver_sm) {
        const p = parseDeliverSm(pdu);
        const status = silent ? undefined : answer(p, received.length);
        p.status = status;
        received.push(p);
        if (status === undefined) continue;
        p.messageId = status === 0 ? `${systemId}-${++ids}` : '';
        raw.socket.write(status === 0 ? rawPdu(CMD.deliver_sm_resp, pdu.sequenceNumber, Buffer.from(`${p.messageId}\0`)) : rawPdu(CMD.deliver_sm_resp, pdu.sequenceNumber, Buffer.alloc(0), status));
      }
    }
  })();
  return {
    raw,
    received,
    sendMo(from, to, text) {
      const s = ++seq;
      const done = new Promise<number>((resolve) => moWaiters.set(s, resolve));
      raw.socket.write(rawPdu(CMD.submit_sm, s, submitSmBody({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: to }, shortMessage: Buffer.from(text) })));
      return done;
    },
    goSilent() { silent = true; },
    close() { raw.socket.destroy(); },
  };
}

/** deliver_sm body [S34 §4.6.1]: the fields the tests look at. */
function parseDeliverSm(pdu: RawPdu): ReceivedPdu {
  const b = pdu.body;
  let o = 0;
  const cstr = () => {
    const end = b.indexOf(0, o);
    const v = b.toString('latin1', o, end);
    o = end + 1;
    return v;
  };
  cstr(); // service_type
  o += 2;
  cstr(); // source_addr
  o += 2;
  const destination = cstr();
  const esmClass = b[o]!;
  o += 3; // esm_class, protocol_id, priority_flag
  cstr(); // schedule_delivery_time
  cstr(); // validity_period
  const dataCoding = b[o + 2]!;
  const smLength = b[o + 4]!;
  o += 5;
  return { seq: pdu.sequenceNumber, destination, esmClass, dataCoding, shortMessage: b.subarray(o, o + smLength), status: undefined, messageId: '', at: Date.now() };
}
