/**
 * Replies out. A node runs the `mt-<link>` worker only while it holds a reply sender for that link: a session
 * the peer bound to us as receiver or transceiver (replies as deliver_sm), or our own bind to the link's SMSC
 * (direction 'connect', replies as submit_sm; outbound-links.ts). A reply waits in Redis (surviving restarts)
 * until some node can send it.
 * The queue's limiter is the link's contracted rate, shared by every node (LIBRARIES.md §3).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ScgwError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SmppSession } from '../smpp/session.js';
import type { OutboundPdu, SendResult } from '../smpp/types.js';
import { planMt, wapPushSegments, type ConcatMode, type MtPlan } from '../text/index.js';
import type { MtJob } from './jobs.js';
import { ussdScreenPdu } from './ussd-pdu.js';
import type { OutboxMarks } from './outbox-marks.js';
import { backoffDelay, mtQueueName, mtSentKey, MT_SENT_TTL_S, WORKER_RECOVERY_OPTIONS } from './queues.js';
import type { RouteCache } from './route-cache.js';

const ESME_RMSGQFUL = 0x14;
const ESME_RTHROTTLED = 0x58;
/** WAP push data_coding: 8-bit data, no message class (PROTOCOL.md §3 "WAP push framing"; 0xF5 also allowed). */
const DCS_WAP_PUSH = 0x04;

/** Whatever can carry a link's replies: a session bound to us (deliver_sm) or our bind to an SMSC (submit_sm). */
export interface ReplySender {
  /** Ready now: bound, and the bind lets replies go this way. */
  readonly ready: boolean;
  send(pdu: OutboundPdu): Promise<SendResult>;
}

/** A session a peer bound to our listener: replies go back as deliver_sm [S34 §2.2]. */
export function sessionSender(s: SmppSession): ReplySender {
  return { get ready() { return s.canReceive; }, send: (pdu) => s.send('deliver_sm', pdu) };
}

export interface MtDispatcher {
  sessionBound(s: SmppSession): void;
  sessionClosed(s: SmppSession): Promise<void>;
  /** A sender of `link` is up on this node: the link's mt worker runs here from now on. */
  senderUp(link: string, sender: ReplySender): void;
  /** The sender is gone; with the last one of its link, the link's mt worker stops here. */
  senderDown(link: string, sender: ReplySender): Promise<void>;
  close(): Promise<void>;
}

export interface MtDeps {
  connection: Redis;
  prefix: string;
  cache: RouteCache;
  log: Logger;
  tagMsisdn(msisdn: string): string;
  marks: OutboxMarks;
  onSent?(outcome: { link: string; segments: number; ok: boolean }): void;
}

export function createMtDispatcher(deps: MtDeps): MtDispatcher {
  const sessions = new Map<string, Set<ReplySender>>();
  const ofSession = new WeakMap<SmppSession, ReplySender>();
  const workers = new Map<string, Worker<MtJob>>();
  let rr = 0;

  function pick(link: string): ReplySender | undefined {
    const live = [...(sessions.get(link) ?? [])].filter((s) => s.ready);
    return live.length ? live[rr++ % live.length] : undefined;
  }

  function startWorker(link: string) {
    const row = deps.cache.current().links.get(link);
    const rate = row?.ratePerSecond ?? 100;
    const worker: Worker<MtJob> = new Worker<MtJob>(mtQueueName(link), (job) => sendReply(job, link, worker), {
      connection: deps.connection,
      prefix: deps.prefix,
      // Jobs in flight, not PDUs: each session's own window (the link's `window`) caps the PDUs awaiting a
      // response, so a job waiting on Redis or the database never holds a window slot.
      concurrency: Math.max(64, 4 * (row?.window ?? 10)),
      limiter: { max: rate, duration: 1000 },
      settings: { backoffStrategy: backoffDelay },
      ...WORKER_RECOVERY_OPTIONS,
    });
    worker.on('error', (e) => deps.log.warn({ err: e, link }, 'mt worker error'));
    workers.set(link, worker);
    deps.log.info({ link, rate }, 'mt worker started');
  }

  const sentKey = (id: number) => mtSentKey(deps.prefix, id);

  async function sendReply(job: Job<MtJob>, link: string, worker: Worker<MtJob>) {
    const r = job.data;
    // A re-run (retry, or a stalled job after a crash between send and completion) or a reply queued
    // again (outbox-relay.ts) may have gone out already: the marker says. A first run of a first
    // queuing skips the look-up: while a job exists, its jobId keeps a second one out.
    const rerun = r.again === true || job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;
    if (rerun && (await deps.connection.exists(sentKey(r.outboxId)))) {
      deps.marks.sent({ id: r.outboxId, status: 'sent', segments: 0, messageIds: [] });
      return;
    }
    const sender = pick(link);
    if (!sender) throw new ScgwError('SCGW_NO_SESSION', `no reply sender for link ${link} on this node`);
    const linkRow = deps.cache.current().links.get(link);
    const concat: ConcatMode = linkRow?.concat ?? 'udh8';
    // The per-message child (with its keyed msisdn hash) is made only when something is logged.
    let child: Logger | undefined;
    const log = () => (child ??= deps.log.child({ corr: r.corr, link, msisdn: deps.tagMsisdn(r.destination) }));
    if (r.payload !== undefined) {
      // A binary reply (WAP push): 8-bit segments, each with the port and concatenation IEs; never SAR or payload TLV.
      const segs = wapPushSegments(Buffer.from(r.payload, 'base64'), r.outboxId & 0xff);
      const base = { source: { addr: r.source, ton: 0, npi: 0 }, destination: { addr: r.destination, ton: 1, npi: 1 }, dataCoding: DCS_WAP_PUSH };
      return deliver(r, link, worker, sender, log, segs.map((sm) => ({ ...base, esmClass: 0x40, shortMessage: sm, tlvs: {} })));
    }
    let plan: MtPlan;
    try {
      plan = planMt(r.body, {
        concat,
        // Deterministic reference from the outbox id: a resend after a crash reuses it.
        ref: concat === 'udh8' ? r.outboxId & 0xff : r.outboxId & 0xffff,
        gsm7Packed: linkRow?.gsm7Packed ?? false,
        // A link where data_coding 0 means Latin-1 cannot carry GSM-7 at 0: send UCS-2 there.
        forceUcs2: linkRow?.dc0 === 'latin1',
      });
    } catch (e) {
      // More than 255 segments: no peer can take it. A template problem, not a transient one.
      deps.marks.sent({ id: r.outboxId, status: 'failed', segments: 0, messageIds: [] });
      log().error({ template: r.template, err: e }, 'reply too long to send; marked failed');
      return;
    }
    const base = { source: { addr: r.source, ton: 0, npi: 0 }, destination: { addr: r.destination, ton: 1, npi: 1 }, dataCoding: plan.dataCoding };
    const extra = r.tlvs ?? {};
    const pdus: OutboundPdu[] = extra.ussdServiceOp !== undefined
      ? [ussdScreenPdu(r.body, base, extra, linkRow)] // USSD: one screen, one PDU, never concatenated
      : plan.messagePayload
      ? [{ ...base, esmClass: 0, shortMessage: new Uint8Array(0), tlvs: { ...extra, messagePayload: Buffer.from(plan.messagePayload) } }]
      : plan.segments.map((seg) => ({
        ...base,
        esmClass: seg.udhi ? 0x40 : 0,
        shortMessage: seg.shortMessage,
        tlvs: { ...extra, ...(seg.sar ? { sarMsgRefNum: seg.sar.ref, sarTotalSegments: seg.sar.total, sarSegmentSeqnum: seg.sar.seq } : {}) },
      }));
    return deliver(r, link, worker, sender, log, pdus);
  }

  async function deliver(r: MtJob, link: string, worker: Worker<MtJob>, sender: ReplySender, log: () => Logger, pdus: OutboundPdu[]) {
    const results = await Promise.all(pdus.map((p) => sender.send(p)));
    if (results.some((x) => x.status === ESME_RTHROTTLED || x.status === ESME_RMSGQFUL)) {
      log().warn({ template: r.template }, 'peer throttled a reply; slowing the link down');
      await worker.rateLimit(1000);
      throw Worker.RateLimitError();
    }
    // Sent from here: the marker stops a second send if this job runs again.
    await deps.connection.set(sentKey(r.outboxId), '1', 'EX', MT_SENT_TTL_S);
    const failed = results.find((x) => x.status !== 0);
    deps.marks.sent({ id: r.outboxId, status: failed ? 'failed' : 'sent', segments: pdus.length, messageIds: results.map((x) => x.messageId) });
    deps.onSent?.({ link, segments: pdus.length, ok: !failed });
    if (failed) log().warn({ template: r.template, status: failed.status }, 'peer refused a reply');
    else if (deps.log.isLevelEnabled('debug')) log().debug({ template: r.template, segments: pdus.length }, 'reply sent');
  }

  function senderUp(link: string, sender: ReplySender): void {
    const set = sessions.get(link) ?? new Set();
    set.add(sender);
    sessions.set(link, set);
    if (!workers.has(link)) startWorker(link);
  }

  async function senderDown(link: string, sender: ReplySender): Promise<void> {
    const set = sessions.get(link);
    if (!set?.delete(sender) || set.size > 0) return;
    sessions.delete(link);
    const w = workers.get(link);
    workers.delete(link);
    // Active jobs finish (or fail and retry elsewhere); queued replies stay in Redis for the next bind.
    await w?.close();
    deps.log.info({ link }, 'mt worker stopped: no reply sender left on this node');
  }

  return {
    sessionBound(s) {
      if (!s.link || !s.canReceive) return;
      const sender = sessionSender(s);
      ofSession.set(s, sender);
      senderUp(s.link, sender);
    },
    async sessionClosed(s) {
      const sender = ofSession.get(s);
      if (!s.link || !sender) return;
      ofSession.delete(s);
      await senderDown(s.link, sender);
    },
    senderUp,
    senderDown,
    async close() {
      await Promise.all([...workers.values()].map((w) => w.close()));
      workers.clear();
      sessions.clear();
    },
  };
}
