/**
 * The listener's onMessage: the MO becomes a durable `mo` job, and only then does smpp/ ack the PDU.
 * A refusal here is an SMPP status the peer understands (unknown short code, queue unavailable), never an OK.
 */
import type { Cluster, Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InboundMessage } from '../../smpp/types.js';
import type { BacklogGuard } from './backlog.js';
import { contentKey, foldable, foldRepeat, markRefused } from './dedupe.js';
import { moIdentity, toMoJob } from '../jobs.js';
import { createMoEnqueuer, type MoEnqueuer } from './enqueue.js';
import type { MoLimits } from './limits.js';
import { MO_JOB_OPTIONS, type Queues } from '../queues.js';
import type { RouteCache } from '../route-cache.js';

export function isReceipt(esmClass: number): boolean {
  // SMPP 3.4 §5.2.12: message type bits 5–2; 0x04 SMSC delivery receipt, 0x08/0x10 SME acks, 0x20 intermediate notification.
  return (esmClass & 0x3c) !== 0;
}

const REFUSED_MARK_MS = 200;
/** Refusals kept in memory because their mark did not reach Redis (refusedHere), at most this many: the oldest go. */
const REFUSED_HERE_MAX = 10_000;

export interface IntakeDeps {
  /** Only `mo` is used; in ACK_DURABILITY=replica its connection is intake's own (`redis`), so a WAIT blocks nothing else. */
  queues: Pick<Queues, 'mo'>;
  cache: RouteCache;
  log: Logger;
  enqueueTimeoutMs: number;
  /** The connection the mo queue writes on: the duplicate window's record and its refusal marks. */
  redis: Redis | Cluster;
  prefix: string;
  onAccepted?(msg: InboundMessage): void;
  /** A re-send from another bind folded into its first copy (dedupe.ts). */
  onFolded?(msg: InboundMessage): void;
  /** Per-link MO rate and concatenation caps (limits.ts), checked before the enqueue. */
  limits?: MoLimits;
  onThrottled?(link: string): void;
  /** The bounded backlog between ack and reply (backlog.ts): past it, ESME_RTHROTTLED. */
  backlog?: BacklogGuard;
  /** An operator suspended the link fleet-wide (fleet/control.ts): its MO are answered ESME_RTHROTTLED. */
  suspended?(link: string): boolean;
  /** How the `mo` jobs reach Redis, with ACK_DURABILITY's check after each job (gateway.ts); default: one job per tick on `queues.mo` (enqueue.ts). */
  enqueuer?: MoEnqueuer;
}

export function createIntake(deps: IntakeDeps) {
  const enqueuer = deps.enqueuer ?? createMoEnqueuer({ queue: deps.queues.mo });
  /**
   * Refusals whose mark did not reach Redis, by content key: the refused copy's identity until its window ends. Redis
   * away is the usual reason for a refusal, and then the copy may be stored all the same (the add written, its answer
   * lost with the connection). Without the mark its retry on the same bind would be a new MO and, that copy being
   * stored, a second action (seen in the chaos suite's redis-sigterm). This node folds such a retry from here; a retry
   * that reaches another node still needs the mark.
   */
  const refusedHere = new Map<string, { id: string; until: number }>();
  /** The identity a refused copy of `msg` took, once (its retry folds into it), if this node remembers one. */
  function takeRefused(msg: InboundMessage): string | undefined {
    if (refusedHere.size === 0) return undefined;
    const key = contentKey(deps.prefix, msg);
    const r = refusedHere.get(key);
    refusedHere.delete(key);
    return r && r.until > Date.now() ? r.id : undefined;
  }
  /** Best effort and bounded: Redis may be the reason for the refusal, and the peer must hear it soon. */
  async function refused(msg: InboundMessage, jobId: string, windowS: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<false>((r) => { timer = setTimeout(() => r(false), REFUSED_MARK_MS); });
    let marked = false;
    try {
      marked = await Promise.race([markRefused(deps.redis, deps.prefix, msg, jobId), giveUp]);
    } catch (e) {
      deps.log.debug({ err: e, link: msg.link }, 'could not mark a refused MO for the duplicate window');
    } finally {
      clearTimeout(timer);
    }
    if (marked) return;
    if (refusedHere.size >= REFUSED_HERE_MAX) refusedHere.delete(refusedHere.keys().next().value!);
    refusedHere.set(contentKey(deps.prefix, msg), { id: jobId, until: Date.now() + windowS * 1000 });
  }

  return async function intake(msg: InboundMessage, o: { windowFull?: boolean } = {}): Promise<void> {
    const shortCode = msg.destination.addr.trim();
    const view = deps.cache.current();
    if (deps.suspended?.(msg.link)) throw new ScgwError('SCGW_LINK_SUSPENDED', `link ${msg.link} is suspended`);
    if (deps.limits) {
      try {
        deps.limits.rate(msg.link, view.links.get(msg.link)?.moRatePerSecond);
      } catch (e) {
        deps.onThrottled?.(msg.link);
        throw e;
      }
    }
    deps.backlog?.check(msg.link);
    // An archive-feed link copies subscribers' traffic to any number: no short code to check (mo worker stores it).
    const link = view.links.get(msg.link);
    const feed = link?.archiveFeed === true;
    // A USSD MO names its service in the text (`*111#`), not in destination_addr: ussd.ts answers any.
    const ussd = msg.tlvs.ussdServiceOp !== undefined;
    if (!isReceipt(msg.esmClass) && !feed && !ussd && !view.table.shortCodes.has(shortCode)) {
      throw new ScgwError('SCGW_UNKNOWN_SHORT_CODE', `no route serves short code ${shortCode}`);
    }
    // Before the enqueue: a part the caps refuse is refused to the peer, never acked and dropped.
    try {
      await deps.limits?.parts(msg);
    } catch (e) {
      if (e instanceof ScgwError) throw e;
      // Redis refused (down, or full under noeviction): the peer retries later.
      throw new ScgwError('SCGW_REDIS_UNAVAILABLE', 'part caps unavailable', { cause: e });
    }
    const corr = nanoid(12);
    const identity = moIdentity(msg.link, msg.sessionId, msg.sequenceNumber);
    const windowS = link?.dedupeWindowS ?? 0;
    const fold = windowS > 0 && foldable(msg, isReceipt(msg.esmClass));
    let timer: NodeJS.Timeout | undefined;
    // Past the timeout the peer is refused (it will retry) even though the add may still land in Redis:
    // that retry then arrives with a new sequence number, so the MO can be acted on twice. Rare (Redis
    // stalled for ENQUEUE_TIMEOUT_MS) and the price of never answering OK for a message not stored; a link
    // with a duplicate window folds that retry (markRefused), and an add not yet issued is skipped.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ScgwError('SCGW_QUEUE_TIMEOUT', `mo enqueue took over ${deps.enqueueTimeoutMs} ms`)), deps.enqueueTimeoutMs);
    });
    let jobId: string | undefined;
    // A copy this node refused without its mark offers the refused identity: the fold returns it (or another bind's).
    const offered = fold ? takeRefused(msg) : undefined;
    let gaveUp = false;
    try {
      // Durable from here: Redis answered the write (with AOF everysec, fsynced within a second; see ack-durability.ts).
      await Promise.race([(async () => {
        // Recorded before the enqueue, so a copy that arrives while this one is still being stored folds too.
        jobId = fold ? await foldRepeat(deps.redis, deps.prefix, msg, offered ?? identity, windowS) : identity;
        if (gaveUp) return; // refused already: storing it now would only make the retry a second action
        if (jobId !== identity) deps.onFolded?.(msg);
        // The first copy's jobId: BullMQ adds no second job while it is kept (addBulk honours it too); if it was
        // removed, processed_mo folds it. One addBulk for a gather window's MO; resolves once it is stored (and,
        // ACK_DURABILITY=replica, replicated); withdrawn if this MO was refused before the bulk was issued.
        await enqueuer.enqueue({ data: toMoJob(msg, corr), opts: { ...MO_JOB_OPTIONS, jobId }, withdrawn: () => gaveUp, now: o.windowFull === true });
      })(), timeout]);
    } catch (e) {
      gaveUp = true;
      // Refused before the fold answered: a refused identity it was offered is kept for the next copy.
      const refusedAs = jobId ?? offered;
      if (fold && refusedAs !== undefined) await refused(msg, refusedAs, windowS);
      if (e instanceof ScgwError) throw e;
      throw new ScgwError('SCGW_REDIS_UNAVAILABLE', 'mo enqueue failed', { cause: e });
    } finally {
      clearTimeout(timer);
    }
    deps.onAccepted?.(msg);
  };
}
