/**
 * Job payloads. BullMQ stores JSON, so raw PDU octets travel as base64; nothing here is decoded text
 * until the mo worker decodes it with the link's settings.
 */
import { createHash } from 'node:crypto';
import type { InboundMessage, PduTlvs } from '../smpp/types.js';
import type { DecodedUserData } from '../text/index.js';

export interface MoJob {
  kind: 'mo';
  corr: string;
  link: string;
  sessionId: string;
  sequenceNumber: number;
  commandId: InboundMessage['commandId'];
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  /** base64 of short_message as received, UDH included. */
  sm: string;
  /** base64 of message_payload when present. */
  payload?: string;
  sar?: { ref?: number; total?: number; seq?: number };
  ussdServiceOp?: number;
  itsSessionInfo?: number;
  /** A vendor profile's USSD dialogue id and hang-up (InboundMessage.ussd); unset: its_session_info says. */
  ussdSession?: number;
  ussdEnd?: boolean;
  /** Delivery receipts (esm_class 0x04): receipted_message_id 0x001E and message_state 0x0427 [S34 §5.3.2.12, §5.3.2.35]. */
  receiptedMessageId?: string;
  messageState?: number;
  receivedAt: number;
}

/** Fired once per concatenated set; routes whatever arrived if the set is still incomplete. */
export interface ConcatTimeoutJob {
  kind: 'concat-timeout';
  partKey: string;
  nonce: string;
  link: string;
  corr: string;
}

/**
 * The MO of one intake tick, stored as ONE job (enqueue.ts): one add, one fetch and one finish in Redis for all of
 * them instead of three Lua scripts per MO. Each keeps the identity it would have had as a job of its own (`id`:
 * its idempotency key), and the worker runs each as such a job; one that fails is queued again on its own.
 */
export interface MoBatchJob {
  kind: 'mo-batch';
  mos: Array<MoJob & { id: string }>;
}

export type MoQueueJob = MoJob | ConcatTimeoutJob | MoBatchJob;

export interface UssdMo { op: number; session?: number; dialogue?: { id: number; end: boolean } }

/** What a reply carries for USSD: ussd_service_op, its_session_info (echoed), a vendor's dialogue id (smpp OutboundPdu.ussdSession). */
export interface ReplyTlvs { ussdServiceOp?: number; itsSessionInfo?: number; ussdSession?: number; plainBinary?: boolean }

/** A reply to send: everything the mt worker needs, so sending costs no database read. */
export interface MtJob {
  outboxId: number;
  corr: string;
  source: string;
  destination: string;
  body: string;
  template: string;
  /** Optional parameters every PDU of the reply carries (USSD: ussd_service_op, its_session_info). */
  tlvs?: ReplyTlvs;
  /** A binary reply (WAP push, PROTOCOL.md §3): base64 of the payload, sent as port+concat UDH segments; body unused. */
  payload?: string;
  /** Queued again (a retried MO, the sweep): the worker checks the sent-marker even on a first run. */
  again?: boolean;
  /** The answered MO's arrival (epoch ms, MoJob.receivedAt), for the MO→reply latency metric; fast path only. */
  moAt?: number;
}

export function toMoJob(msg: InboundMessage, corr: string): MoJob {
  const t: PduTlvs = msg.tlvs;
  const job: MoJob = {
    kind: 'mo',
    corr,
    link: msg.link,
    sessionId: msg.sessionId,
    sequenceNumber: msg.sequenceNumber,
    commandId: msg.commandId,
    source: msg.source.addr,
    destination: msg.destination.addr,
    esmClass: msg.esmClass,
    dataCoding: msg.dataCoding,
    sm: Buffer.from(msg.shortMessage).toString('base64'),
    receivedAt: msg.receivedAt,
  };
  if (t.messagePayload) job.payload = Buffer.from(t.messagePayload).toString('base64');
  if (t.sarMsgRefNum !== undefined || t.sarTotalSegments !== undefined || t.sarSegmentSeqnum !== undefined) {
    job.sar = { ref: t.sarMsgRefNum, total: t.sarTotalSegments, seq: t.sarSegmentSeqnum };
  }
  if (t.ussdServiceOp !== undefined) job.ussdServiceOp = t.ussdServiceOp;
  if (t.itsSessionInfo !== undefined) job.itsSessionInfo = t.itsSessionInfo;
  if (msg.ussd) {
    job.ussdSession = msg.ussd.session;
    if (msg.ussd.end) job.ussdEnd = true;
  }
  if (t.receiptedMessageId !== undefined) job.receiptedMessageId = t.receiptedMessageId;
  if (t.messageState !== undefined) job.messageState = t.messageState;
  return job;
}

/**
 * The MO's identity: the link, the session that carried it (a nanoid per bind, so a rebind never collides)
 * and the PDU's sequence number. Used as the BullMQ jobId (Redis-level dedupe) and as the Postgres
 * idempotency key (the real guarantee). Hex only: BullMQ refuses ':' and all-digit ids.
 */
export function moIdentity(link: string, sessionId: string, sequenceNumber: number): string {
  return 'mo-' + createHash('sha256').update(`${link}\0${sessionId}\0${sequenceNumber}`).digest('hex').slice(0, 40);
}

export function hashKey(prefix: string, s: string): string {
  return prefix + createHash('sha256').update(s).digest('hex').slice(0, 40);
}

/** A whole MO, ready to route: decoded once, after reassembly. */
export interface AssembledMo {
  idemKey: string;
  /** set when the MO was reassembled: its parts' Redis key, marked routed afterwards. */
  partsKey?: string;
  corr: string;
  link: string;
  source: string;
  destination: string;
  decoded: DecodedUserData;
  /** the data_coding byte as received. */
  dcs: number;
  channel: 'sms' | 'ussd';
  /** A USSD MO's ussd_service_op and its_session_info (PROTOCOL.md §5): the mo worker hands it to mo/ussd.ts. */
  /** session: its_session_info as received; dialogue: a vendor profile's id and hang-up (MoJob.ussdSession). */
  ussd?: UssdMo;
  /** When the MO's (last) PDU arrived (epoch ms); unset for a set routed incomplete at its timeout. */
  receivedAt?: number;
}
