/**
 * An SMSC-like SMPP peer with its own framing (the PDU builders of test/support/smpp-peer.ts, not the
 * gateway's codec): binds as transceiver, sends MO paced at `rate` from one new number each, keeps at most
 * `window` awaiting their submit_sm_resp, and behaves like an SMSC when things break: a connection that drops,
 * a response that never comes (responseTimeoutMs) or an enquire_link left unanswered means reconnect and send
 * again every MO whose ack it never saw; a refusal (any non-zero status) is retried after retryMs. Every
 * deliver_sm is answered and recorded against the MO whose number it goes to.
 */
import { connect, type Socket } from 'node:net';
import { bindTransceiverBody, CMD, rawPdu, readCString, submitSmBody } from '../../test/support/smpp-peer.js';

export interface MoRecord {
  k: number;
  msisdn: string;
  /** submit_sm sent for this MO (more than one: re-sent after a lost ack or a refusal). */
  attempts: number;
  firstSentAt: number;
  ackAt: number | null;
  refusals: number;
  /** Each reply's text (first segment), in arrival order. */
  replies: string[];
  /** performance.now() of each reply, parallel to `replies`. */
  replyAts: number[];
  firstReplyAt: number | null;
}

export interface PeerOptions {
  port: number;
  systemId: string;
  password: string;
  window: number;
  rate: number;
  to: string;
  text: string;
  msisdnBase: number;
  responseTimeoutMs?: number;
  retryMs?: number;
}

export interface ChaosPeer {
  records: MoRecord[];
  /** Times (ms, performance.now) at which a session was lost, and refusals by status. */
  readonly disconnects: number[];
  readonly refusedByStatus: Map<number, number>;
  readonly unmatchedReplies: number;
  stopSending(): void;
  /** MO acked but not yet replied, plus MO not yet acked. */
  outstanding(): { unacked: number; unreplied: number };
  close(): Promise<void>;
}

type Outstanding = { k: number; timer: NodeJS.Timeout };

export function startChaosPeer(o: PeerOptions): ChaosPeer {
  const records: MoRecord[] = [];
  const disconnects: number[] = [];
  const refusedByStatus = new Map<number, number>();
  const queue: number[] = []; // MO waiting to be (re)sent, in order
  let t0 = 0; // the pacing clock starts at the first bind: a cold gateway is not a fault
  let generating = true, closed = false, unmatchedReplies = 0;
  let socket: Socket | null = null, bound = false, seq = 1, backoff = 100;
  let inflight = new Map<number, Outstanding>(); // seq → MO
  let enquireTimer: NodeJS.Timeout | undefined;
  let lastEnquireResp = performance.now();
  const respTimeout = o.responseTimeoutMs ?? 30_000; // as the gateway's own SMPP_RESPONSE_TIMEOUT_MS

  const generator = setInterval(() => {
    if (!generating || t0 === 0) return;
    const due = Math.floor(((performance.now() - t0) * o.rate) / 1000);
    while (records.length < due) {
      const k = records.length;
      records.push({ k, msisdn: String(o.msisdnBase + k), attempts: 0, firstSentAt: 0, ackAt: null, refusals: 0, replies: [], replyAts: [], firstReplyAt: null });
      queue.push(k);
    }
    pump();
  }, 5);

  function nextSeq(): number {
    seq = seq >= 0x7fffffff ? 1 : seq + 1;
    return seq;
  }

  function pump(): void {
    while (socket && bound && inflight.size < o.window && queue.length > 0) {
      const k = queue.shift()!;
      const r = records[k]!;
      if (r.ackAt !== null) continue;
      const s = nextSeq();
      const body = submitSmBody({ source: { addr: r.msisdn, ton: 1, npi: 1 }, destination: { addr: o.to }, shortMessage: Buffer.from(o.text) });
      r.attempts++;
      if (r.firstSentAt === 0) r.firstSentAt = performance.now();
      const sock = socket;
      inflight.set(s, { k, timer: setTimeout(() => drop(sock, 'submit_sm_resp timeout'), respTimeout) });
      socket.write(rawPdu(CMD.submit_sm, s, body));
    }
  }

  function drop(sock: Socket, _why: string): void {
    if (socket === sock) sock.destroy();
  }

  function onClose(sock: Socket): void {
    if (socket !== sock) return;
    socket = null;
    bound = false;
    clearInterval(enquireTimer);
    disconnects.push(performance.now());
    // Every MO whose ack we never saw goes out again, first in line (an SMSC re-sends them).
    const again = [...inflight.values()].map((x) => { clearTimeout(x.timer); return x.k; }).sort((a, b) => a - b);
    inflight = new Map();
    queue.unshift(...again);
    if (!closed) setTimeout(dial, backoff);
    backoff = Math.min(backoff * 2, 1000);
  }

  function dial(): void {
    if (closed) return;
    const sock = connect({ host: '127.0.0.1', port: o.port });
    socket = sock;
    let buf: Buffer = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('close', () => onClose(sock));
    sock.on('connect', () => {
      sock.write(rawPdu(CMD.bind_transceiver, nextSeq(), bindTransceiverBody(o.systemId, o.password)));
      const t = setTimeout(() => { if (!bound) drop(sock, 'bind timeout'); }, respTimeout);
      sock.once('close', () => clearTimeout(t));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 16) {
        const len = buf.readUInt32BE(0);
        if (len < 16 || len > 70_000) { sock.destroy(); return; }
        if (buf.length < len) break;
        onPdu(sock, buf.readUInt32BE(4), buf.readUInt32BE(8), buf.readUInt32BE(12), buf.subarray(16, len));
        buf = buf.subarray(len);
      }
    });
  }

  function onPdu(sock: Socket, id: number, status: number, s: number, body: Buffer): void {
    switch (id) {
      case CMD.bind_transceiver_resp:
        if (status !== 0) { sock.destroy(); return; }
        bound = true;
        backoff = 100;
        lastEnquireResp = performance.now();
        if (t0 === 0) t0 = performance.now();
        enquireTimer = setInterval(() => enquire(sock), 5000);
        pump();
        return;
      case CMD.submit_sm_resp:
      case CMD.generic_nack: {
        const out = inflight.get(s);
        if (!out) return;
        clearTimeout(out.timer);
        inflight.delete(s);
        const r = records[out.k]!;
        if (status === 0) r.ackAt ??= performance.now();
        else {
          r.refusals++;
          refusedByStatus.set(status, (refusedByStatus.get(status) ?? 0) + 1);
          setTimeout(() => { queue.push(out.k); pump(); }, o.retryMs ?? 500);
        }
        pump();
        return;
      }
      case CMD.deliver_sm:
        sock.write(rawPdu(CMD.deliver_sm_resp, s, Buffer.from([0])));
        onDeliver(body);
        return;
      case CMD.enquire_link:
        sock.write(rawPdu(CMD.enquire_link_resp, s));
        return;
      case CMD.enquire_link_resp:
        lastEnquireResp = performance.now();
        return;
      case CMD.unbind:
        sock.write(rawPdu(CMD.unbind_resp, s));
        sock.end();
        return;
      default:
        if (!(id & 0x80000000)) sock.write(rawPdu(CMD.generic_nack, s, Buffer.alloc(0), 0x03));
    }
  }

  function enquire(sock: Socket): void {
    // No answer to the previous enquire_link within its 5 s: the link is dead even if TCP says otherwise.
    if (performance.now() - lastEnquireResp > 10_000) { drop(sock, 'enquire_link unanswered'); return; }
    sock.write(rawPdu(CMD.enquire_link, nextSeq()));
  }

  function onDeliver(body: Buffer): void {
    const m = parseDeliver(body);
    if (!m || (m.esmClass & 0x3c) !== 0) return; // a delivery receipt, not a reply
    if (m.segment > 1) return; // a reply counts once: by its first segment
    const k = Number(m.destination) - o.msisdnBase;
    const r = records[k];
    if (!Number.isInteger(k) || !r) { unmatchedReplies++; return; }
    const at = performance.now();
    r.replies.push(m.text);
    r.replyAts.push(at);
    r.firstReplyAt ??= at;
  }

  setTimeout(dial, 0);
  return {
    records, disconnects, refusedByStatus,
    get unmatchedReplies() { return unmatchedReplies; },
    stopSending() { generating = false; },
    outstanding() {
      let unacked = 0, unreplied = 0;
      for (const r of records) {
        if (r.ackAt === null) unacked++;
        else if (r.replies.length === 0) unreplied++;
      }
      return { unacked, unreplied };
    },
    async close() {
      closed = true;
      generating = false;
      clearInterval(generator);
      const sock = socket;
      if (sock) {
        sock.write(rawPdu(CMD.unbind, nextSeq()));
        await new Promise((r) => setTimeout(r, 200));
        sock.destroy();
      }
    },
  };
}

/** deliver_sm [S34 §4.6.1]: destination, esm_class, the text of short_message or message_payload, the UDH segment number. */
export function parseDeliver(b: Buffer): { destination: string; esmClass: number; text: string; segment: number } | null {
  try {
    let i = b.indexOf(0) + 1 + 2; // service_type, source ton/npi
    i = b.indexOf(0, i) + 1 + 2; // source_addr, dest ton/npi
    const destination = readCString(b, i);
    i = b.indexOf(0, i) + 1;
    const esmClass = b[i]!;
    i += 3; // esm_class, protocol_id, priority_flag
    i = b.indexOf(0, i) + 1; // schedule_delivery_time
    i = b.indexOf(0, i) + 1; // validity_period
    const dataCoding = b[i + 2]!;
    const smLength = b[i + 4]!;
    let sm = b.subarray(i + 5, i + 5 + smLength);
    for (let t = i + 5 + smLength; smLength === 0 && t + 4 <= b.length; t += 4 + b.readUInt16BE(t + 2)) {
      if (b.readUInt16BE(t) === 0x0424) sm = b.subarray(t + 4, t + 4 + b.readUInt16BE(t + 2));
    }
    let segment = 1;
    if (esmClass & 0x40 && sm.length > 0) {
      const udhl = sm[0]!;
      const iei = sm[1];
      if (iei === 0x00) segment = sm[5] ?? 1;
      if (iei === 0x08) segment = sm[6] ?? 1;
      sm = sm.subarray(udhl + 1);
    }
    const text = dataCoding === 8 ? Buffer.from(sm).swap16().toString('utf16le') : sm.toString('latin1');
    return { destination, esmClass, text, segment };
  } catch {
    return null;
  }
}
