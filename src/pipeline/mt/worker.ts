/**
 * Replies out. A node runs the `mt-<link>` worker only while it holds a reply sender for that link: a session
 * the peer bound to us as receiver or transceiver (replies as deliver_sm), or our own bind to the link's SMSC
 * (direction 'connect', replies as submit_sm; outbound-links.ts). A reply waits in Redis (surviving restarts)
 * until some node can send it.
 * The queue's limiter is the link's contracted rate, shared by every node (LIBRARIES.md §3).
 * Which sender takes each PDU, and how long a job may wait for window room: senders.ts.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { SmppSession } from '../../smpp/session.js';
import type { OutboundPdu, SendResult } from '../../smpp/types.js';
import { createSenderPool, NO_ROOM, sessionSender, type ReplySender } from './senders.js';
import { binarySegments, planMt, wapPushSegments, type ConcatMode, type MtPlan } from '../../text/index.js';
import type { MtJob } from '../jobs.js';
import { ussdScreenPdu } from './ussd-pdu.js';
import type { OutboxMarks } from '../outbox/marks.js';
import type { DirectSender } from '../outbox/relay.js';
import { createSentMarker } from './sent.js';
import { createDirectClaim, RATE_WINDOW_MS } from './direct.js';
import { backoffDelay, firstWaitMs, mtPartsKey, mtQueueName, mtSentKey, MT_SENT_TTL_S, WORKER_RECOVERY_OPTIONS } from '../queues.js';
import type { RouteCache } from '../route-cache.js';

const ESME_RMSGQFUL = 0x14;
const ESME_RTHROTTLED = 0x58;
/** WAP push data_coding: 8-bit data, no message class (PROTOCOL.md §3 "WAP push framing"; 0xF5 also allowed). */
const DCS_WAP_PUSH = 0x04;
/** Plain 8-bit data (send API binary) [S34 §5.2.19]. */
const DCS_8BIT = 0x04;
/** A job that found no window room for a whole response timer waits this long in the delayed set. */
const NO_ROOM_DELAY_MS = 200;
/** How long a sent reply's marker is tried again before its job is failed (Redis full or restarting). */
const SENT_MARK_RETRY_MS = 60_000;
/**
 * A direct send waits this long for window room (in the pool's line, senders.ts), then its reply is queued: the
 * job waits for room (a whole response timer), not the relay. Its in-flight marker outlives the longest direct
 * send (this wait plus a response timer) by DIRECT_MARGIN_MS.
 */
const DIRECT_ROOM_WAIT_MS = 1_000;
const DIRECT_MARGIN_MS = 5_000;
/**
 * A claimed reply's marker first covers only its wait in line (DIRECT_ROOM_WAIT_MS and this), and is lengthened to
 * a response timer plus DIRECT_MARGIN_MS when its PDU is written and its response is late (DIRECT_LENGTHEN_AFTER_MS).
 * A reply its node claimed but never wrote (the node died while it waited in line) is then the sweeps' again within
 * about 3 s, not after the whole send's 11.
 */
const DIRECT_CLAIM_MARGIN_MS = 2_000;
/**
 * A written PDU's marker is lengthened only if its response has not come this long after the write: most responses
 * come within milliseconds, and then the send is settled (its sent-marker stored) long before the claim's marker
 * lapses. The lengthening then reaches Redis at most DIRECT_ROOM_WAIT_MS + this after the claim, 1.5 s before the
 * marker would lapse. Lengthening at every write cost one PEXPIRE per reply and one pipeline per tick.
 */
const DIRECT_LENGTHEN_AFTER_MS = 500;

export { sessionSender, type ReplySender };

/** Replies of one link the mt worker sends at once on a node (its concurrency): four windows' worth, at least 64. */
function inFlightCap(window = 10): number {
  return Math.max(64, 4 * window);
}

/**
 * Direct sends of one link going on at once on a node, in flight or waiting in line for window room. The line is
 * bounded in time already (DIRECT_ROOM_WAIT_MS, then the reply is queued); this bounds it in memory too, for a peer
 * that answers slowly: about a second of replies at this box's rates, a few hundred kilobytes.
 */
function directCap(window = 10): number {
  return Math.max(1_000, inFlightCap(window));
}

export interface MtDispatcher {
  sessionBound(s: SmppSession): void;
  sessionClosed(s: SmppSession): Promise<void>;
  /** A sender of `link` is up on this node: the link's mt worker runs here from now on. */
  senderUp(link: string, sender: ReplySender): void;
  /** The sender is gone; with the last one of its link, the link's mt worker stops here. */
  senderDown(link: string, sender: ReplySender): Promise<void>;
  /** The relay's fast path (outbox/relay.ts DirectSender): fresh replies sent from here, with no mt job. */
  direct: DirectSender;
  close(): Promise<void>;
}

/** One send of one reply: a run of its mt job, or the relay's direct send (no job). */
interface Send {
  r: MtJob;
  link: string;
  /** How long a PDU may wait for window room: a job, one response timer; a direct send, briefly (then it is queued). */
  roomWaitMs: number;
  /** The reply may have gone out before, wholly or in part. */
  rerun: boolean;
  /** A part of it is being written to a sender now (a direct send lengthens its in-flight marker here). */
  onWrite?: () => void;
}

/** How a send ended short of settling the reply: the peer throttled, or no sender had window room in time. */
type Deferred = 'throttled' | 'no-room';

export interface MtDeps {
  connection: Redis | Cluster;
  prefix: string;
  cache: RouteCache;
  log: Logger;
  tagMsisdn(msisdn: string): string;
  marks: OutboxMarks;
  /**
   * Each reply PDU's response timer (SMPP_MT_RESPONSE_TIMEOUT_MS); running out makes the session suspect. It
   * also bounds a job's wait for window room: within it a slot frees, or the session turns suspect.
   */
  responseTimeoutMs: number;
  /**
   * Each run that reached the peer or gave up: `ok` (every part accepted), `refused` (a part answered with an error
   * status; the reply is failed), `throttled` (ESME_RTHROTTLED/RMSGQFUL; retried), `unsendable` (too long; failed),
   * `error` (no response, session lost; retried). `moAt`: the answered MO's arrival, when the job carries it.
   */
  onSent?(o: { link: string; segments: number; outcome: 'ok' | 'refused' | 'throttled' | 'unsendable' | 'error'; moAt?: number | undefined }): void;
  /** A job's first run starts: how long it waited in `mt-<link>` (queues.ts firstWaitMs). */
  onWait?(link: string, ms: number): void;
  /**
   * True for a while after a Redis connection came back (a Sentinel failover, a restart): the master now
   * serving may lack the old one's last writes, a job's activation or its sent-marker, so a reply sent just
   * before can come back as a first run. Each run then asks the database too.
   */
  redisMoved?(): boolean;
}

export function createMtDispatcher(deps: MtDeps): MtDispatcher {
  const pool = createSenderPool({ responseTimeoutMs: deps.responseTimeoutMs });
  const ofSession = new WeakMap<SmppSession, ReplySender>();
  const workers = new Map<string, Worker<MtJob>>();

  function startWorker(link: string) {
    const row = deps.cache.current().links.get(link);
    const rate = row?.ratePerSecond ?? 100;
    const worker: Worker<MtJob> = new Worker<MtJob>(mtQueueName(link), (job, token) => sendReply(job, token, link, worker), {
      connection: deps.connection,
      prefix: deps.prefix,
      // Jobs in flight, not PDUs: each session's own window (the link's `window`) caps the PDUs awaiting a
      // response, so a job waiting on Redis or the database never holds a window slot.
      concurrency: inFlightCap(row?.window),
      limiter: { max: rate, duration: RATE_WINDOW_MS },
      settings: { backoffStrategy: backoffDelay },
      ...WORKER_RECOVERY_OPTIONS,
    });
    worker.on('error', (e) => deps.log.warn({ err: e, link }, 'mt worker error'));
    worker.on('failed', (job, e) => deps.log.warn({ err: e, corr: job?.data.corr, link, attempts: job?.attemptsMade }, 'reply not sent; will retry'));
    workers.set(link, worker);
    deps.log.info({ link, rate }, 'mt worker started');
  }

  const sentKey = (id: number) => mtSentKey(deps.prefix, id);
  const sentMarker = createSentMarker(deps.connection, deps.prefix);
  const partsKey = (id: number) => mtPartsKey(deps.prefix, id);
  /**
   * The sends of this node still going, by outbox id. Under a saturated event loop a job's lock can lapse
   * while its run is still sending (BullMQ cannot renew it in time); the stalled check then hands the job to
   * a second run. That second run waits here for the first to settle, then finds its sent-marker, instead
   * of sending the reply again. A direct send that gave up and queued its job is waited for the same way.
   * (A second run on another node is the case the lock alone must cover.)
   */
  const running = new Map<number, Promise<unknown>>();

  /** Runs `send` for the reply `id` once the sends of it still going on this node have settled; `overlapped` tells it one was. */
  async function exclusive<T>(id: number, corr: string, link: string, send: (overlapped: boolean) => Promise<T>): Promise<T> {
    const before = running.get(id);
    // Registered before any await, so a third run waits for this one, not beside it.
    const run = (async () => {
      if (before) {
        deps.log.warn({ corr, link }, 'a reply was sent again while its first send is still going (a lapsed lock); waiting for it');
        await before.catch(() => undefined);
      }
      return send(before !== undefined);
    })();
    running.set(id, run);
    try { return await run; } finally { if (running.get(id) === run) running.delete(id); }
  }

  async function sendReply(job: Job<MtJob>, token: string | undefined, link: string, worker: Worker<MtJob>) {
    const r = job.data;
    const waited = deps.onWait ? firstWaitMs(job) : undefined;
    if (waited !== undefined) deps.onWait?.(link, waited);
    const deferred = await exclusive(r.outboxId, r.corr, link, (overlapped) => sendOnce({
      r, link, roomWaitMs: deps.responseTimeoutMs,
      // A re-run (retry, throttled or delayed, or a stalled job after a crash between send and completion) or a
      // reply queued again (outbox/relay.ts) may have gone out already, wholly (the sent-marker) or in part
      // (the parts hash). A first run of a first queuing skips the look-ups: while a job exists, its jobId
      // keeps a second one out. attemptsStarted counts every activation, also those that used no attempt.
      rerun: overlapped || r.again === true || job.attemptsStarted > 1 || job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0,
    }));
    if (deferred === 'throttled') {
      await worker.rateLimit(1000);
      throw Worker.RateLimitError(); // back to wait without using an attempt
    }
    if (deferred === 'no-room') {
      // Every sender was full or suspect for a whole response timer: the job gives its worker slot back and
      // waits in the delayed set, using no attempt (a dead session must not burn a reply's attempts).
      await job.moveToDelayed(Date.now() + NO_ROOM_DELAY_MS, token);
      throw new DelayedError();
    }
  }

  /** Settles the reply (sent, refused or unsendable, and marked), or says why it could not yet; throws on a lost PDU or session. */
  async function sendOnce(send: Send): Promise<Deferred | undefined> {
    const { r, link } = send;
    // The sent-marker lives in Redis and can be lost with a failover or a restart; the 'sent' mark in the
    // database (batched, written within milliseconds of the send) cannot.
    if ((send.rerun || deps.redisMoved?.()) && ((await deps.connection.exists(sentKey(r.outboxId))) || (await deps.marks.settled(r.outboxId)))) {
      deps.marks.sent({ id: r.outboxId, status: 'sent', segments: 0, messageIds: [] });
      return undefined;
    }
    if (!pool.ready(link)) throw new ScgwError('SCGW_NO_SESSION', `no reply sender for link ${link} on this node`);
    const linkRow = deps.cache.current().links.get(link);
    const concat: ConcatMode = linkRow?.concat ?? 'udh8';
    // The per-message child (with its keyed msisdn hash) is made only when something is logged.
    let child: Logger | undefined;
    const log = () => (child ??= deps.log.child({ corr: r.corr, link, msisdn: deps.tagMsisdn(r.destination) }));
    if (r.payload !== undefined && r.tlvs?.plainBinary) {
      // Plain binary (send API): 8-bit data coding, concatenated by UDH when over 140 octets; no ports.
      const segs = binarySegments(Buffer.from(r.payload, 'base64'), r.outboxId & 0xff);
      const base = { source: { addr: r.source, ton: 0, npi: 0 }, destination: { addr: r.destination, ton: 1, npi: 1 }, dataCoding: DCS_8BIT };
      return deliver(send, log, segs.map((s) => ({ ...base, esmClass: s.udhi ? 0x40 : 0, shortMessage: s.shortMessage, tlvs: {} })));
    }
    if (r.payload !== undefined) {
      // A binary reply (WAP push): 8-bit segments, each with the port and concatenation IEs; never SAR or payload TLV.
      const segs = wapPushSegments(Buffer.from(r.payload, 'base64'), r.outboxId & 0xff);
      const base = { source: { addr: r.source, ton: 0, npi: 0 }, destination: { addr: r.destination, ton: 1, npi: 1 }, dataCoding: DCS_WAP_PUSH };
      return deliver(send, log, segs.map((sm) => ({ ...base, esmClass: 0x40, shortMessage: sm, tlvs: {} })));
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
      deps.onSent?.({ link, segments: 0, outcome: 'unsendable' });
      log().error({ template: r.template, err: e }, 'reply too long to send; marked failed');
      return undefined;
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
    return deliver(send, log, pdus);
  }

  /**
   * Sends the parts not yet accepted, each through the best sender of the link (senders.ts), and records each
   * accepted part at once: a throttled part, a full link or a crash re-sends the other parts only.
   */
  async function deliver(send: Send, log: () => Logger, pdus: OutboundPdu[]): Promise<Deferred | undefined> {
    const r = send.r;
    const multi = pdus.length > 1;
    const accepted = new Map<number, string>();
    if (multi && send.rerun) {
      for (const [i, id] of Object.entries(await deps.connection.hgetall(partsKey(r.outboxId)))) accepted.set(Number(i), id);
    }
    const deadline = Date.now() + send.roomWaitMs;
    const affinity = send.onWrite ? { onSend: send.onWrite } : {};
    // allSettled: a retry must not start while a part of this send may still be answered.
    const outcomes = await Promise.allSettled(pdus.map(async (pdu, i) => {
      const known = accepted.get(i);
      if (known !== undefined) return { status: 0, messageId: known };
      const res = await pool.send(send.link, pdu, deadline, affinity);
      if (res !== NO_ROOM && res.status === 0 && multi) {
        // This part is sent from here: a re-send skips it (a crash before this line sends it again).
        await deps.connection.multi().hset(partsKey(r.outboxId), String(i), res.messageId).expire(partsKey(r.outboxId), MT_SENT_TTL_S).exec();
      }
      return res;
    }));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) {
      deps.onSent?.({ link: send.link, segments: pdus.length, outcome: 'error' });
      throw failed.reason; // a timeout, a closed session: BullMQ retries with backoff
    }
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<SendResult | typeof NO_ROOM>).value);
    if (results.some((x) => x !== NO_ROOM && (x.status === ESME_RTHROTTLED || x.status === ESME_RMSGQFUL))) {
      deps.onSent?.({ link: send.link, segments: pdus.length, outcome: 'throttled' });
      log().warn({ template: r.template }, 'peer throttled a reply; slowing the link down');
      return 'throttled';
    }
    if (results.includes(NO_ROOM)) {
      log().debug({ template: r.template }, 'no window room on the link; reply delayed');
      return 'no-room';
    }
    const sent = results as SendResult[];
    const refused = sent.find((x) => x.status !== 0);
    deps.marks.sent({ id: r.outboxId, status: refused ? 'failed' : 'sent', segments: pdus.length, messageIds: sent.map((x) => x.messageId) });
    // Sent from here: the marker stops a second send if this job runs again. Stored before the job completes;
    // the markers of the replies sent in one tick share one MULTI (sent.ts). A marker Redis refuses (full, or
    // away for a moment) is written again, not left to a job retry: a retry would send the reply again.
    await markSent(r.outboxId, multi, log);
    deps.onSent?.({ link: send.link, segments: pdus.length, outcome: refused ? 'refused' : 'ok', moAt: r.moAt });
    if (refused) log().warn({ template: r.template, status: refused.status }, 'peer refused a reply');
    else if (deps.log.isLevelEnabled('debug')) log().debug({ template: r.template, segments: pdus.length }, 'reply sent');
    return undefined;
  }

  /** Until then (epoch ms) a link whose peer throttled a direct send takes no more: its replies queue (the limiter paces them). */
  const directOffUntil = new Map<string, number>();
  /**
   * Direct sends going on here, per link: at most directCap. Those beyond the window wait in the sender pool's line,
   * first come first served, which costs a reply nothing in Redis; queueing it instead (an mt job: an add, a fetch
   * and a finish) whenever a group commit's replies outnumbered the free slots sent most replies of a window-10 link
   * through the queue even at 460 MO/s (bench, paced 700 MO/s on window 10: p99 225–494 ms queued, 78–102 ms waiting
   * in line). With the cap at the mt worker's concurrency (64 on window 10), a gateway near saturation at window 10
   * still queued 20–40 % of its replies, each in line for 45 ms or more (bench --serve with smpp-load, 10,000 MO:
   * 1,381–1,793 replies/s and 0.91–1.17 ms of box CPU per MO; with the cap at 400, none queued, 1,815–2,139 replies/s
   * and 0.75–0.89 ms). A reply claimed and still in line when its node dies waits out its in-flight marker before a
   * sweep sends it; with the whole send's marker (11 s) from the claim, that made one chaos gateway-kill9 recovery
   * 12.2 s in five runs. The marker now covers the line only, and is lengthened once the PDU is written and its
   * response is late. Past saturation too: queueing the replies of a gateway that is behind (as it once did) let it
   * ack a window-100 burst first and send most replies after it, at a higher rate once the acks were done, but with
   * a quarter more box CPU per MO and a quarter fewer replies a second overall (bench --serve, 15,000 MO at window
   * 100: direct 2,407–2,562 replies/s overall, p99 1.1–1.5 s; queued 1,712–2,002, p99 4.2–4.7 s). A reply is queued
   * only when this line is full, or the link is throttled or suspect.
   */
  const directInFlight = new Map<string, number>();
  const claimer = createDirectClaim(deps.connection, deps.prefix, DIRECT_ROOM_WAIT_MS + DIRECT_CLAIM_MARGIN_MS, deps.responseTimeoutMs + DIRECT_MARGIN_MS);
  const direct: DirectSender = {
    async claim(link, ids) {
      const worker = workers.get(link);
      if (!worker || !pool.answering(link) || (directOffUntil.get(link) ?? 0) > Date.now()) return 0;
      const row = deps.cache.current().links.get(link);
      const room = directCap(row?.window) - (directInFlight.get(link) ?? 0);
      if (room <= 0) return 0;
      // The link's own limiter (the mt worker's, shared by every node): a direct send takes its token as a job would.
      const taken = await claimer.claim(worker.keys.limiter!, row?.ratePerSecond ?? 100, ids.slice(0, room));
      directInFlight.set(link, (directInFlight.get(link) ?? 0) + taken);
      return taken;
    },
    async send(link, r) {
      let lengthenTimer: NodeJS.Timeout | undefined;
      try {
        const lengthen = () => { claimer.written(r.outboxId).catch((e: unknown) => deps.log.debug({ err: e, corr: r.corr, link }, 'could not lengthen a direct send\'s in-flight marker')); };
        const onWrite = () => { lengthenTimer ??= setTimeout(lengthen, DIRECT_LENGTHEN_AFTER_MS); };
        const deferred = await exclusive(r.outboxId, r.corr, link, (overlapped) => sendOnce({ r, link, rerun: overlapped, roomWaitMs: DIRECT_ROOM_WAIT_MS, onWrite }));
        if (deferred === 'throttled') {
          // As a throttled job does: the link's queue pauses for a second (on every node), and its direct path here.
          directOffUntil.set(link, Date.now() + 1000);
          await workers.get(link)?.rateLimit(1000);
        }
        return deferred === undefined;
      } catch (e) {
        deps.log.debug({ err: e, corr: r.corr, link }, 'direct reply send failed; queued');
        return false;
      } finally {
        // Settled (sent and marked, or queued, or failed): its marker needs no lengthening any more.
        clearTimeout(lengthenTimer);
        const n = (directInFlight.get(link) ?? 1) - 1;
        if (n > 0) directInFlight.set(link, n); else directInFlight.delete(link);
      }
    },
  };

  /** parts: the reply had several parts, so its parts hash (deliver) may exist and is dropped with the marker. */
  async function markSent(id: number, parts: boolean, log: () => Logger) {
    const until = Date.now() + SENT_MARK_RETRY_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        await sentMarker.mark(id, parts);
        return;
      } catch (e) {
        if (Date.now() + delay > until) throw e; // the job fails and re-runs: the one case a reply can go twice
        log().warn({ err: e }, 'could not store a sent reply\'s marker; trying again');
        await new Promise((res) => setTimeout(res, delay));
      }
    }
  }

  function senderUp(link: string, sender: ReplySender): void {
    pool.add(link, sender);
    if (!workers.has(link)) startWorker(link);
  }

  async function senderDown(link: string, sender: ReplySender): Promise<void> {
    if (!pool.remove(link, sender)) return;
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
    direct,
    async close() {
      await Promise.all([...workers.values()].map((w) => w.close()));
      // Direct sends still going (each bounded by its response timers) settle and queue what they could not send.
      await Promise.allSettled([...running.values()]);
      workers.clear();
      pool.clear();
    },
  };
}
