/**
 * The listener's onMessage: the MO becomes a durable `mo` job, and only then does smpp/ ack the PDU.
 * A refusal here is an SMPP status the peer understands (unknown short code, queue unavailable), never an OK.
 */
import { nanoid } from 'nanoid';
import { ScgwError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InboundMessage } from '../smpp/types.js';
import { moIdentity, toMoJob } from './jobs.js';
import type { MoLimits } from './mo-limits.js';
import { MO_JOB_OPTIONS, type Queues } from './queues.js';
import type { RouteCache } from './route-cache.js';

export function isReceipt(esmClass: number): boolean {
  // SMPP 3.4 §5.2.12: message type bits 5–2; 0x04 SMSC delivery receipt, 0x08/0x10 SME acks, 0x20 intermediate notification.
  return (esmClass & 0x3c) !== 0;
}

export function createIntake(deps: { queues: Queues; cache: RouteCache; log: Logger; enqueueTimeoutMs: number; onAccepted?(msg: InboundMessage): void; limits?: MoLimits; onThrottled?(link: string): void }) {
  return async function intake(msg: InboundMessage): Promise<void> {
    const shortCode = msg.destination.addr.trim();
    const view = deps.cache.current();
    if (deps.limits) {
      try {
        deps.limits.rate(msg.link, view.links.get(msg.link)?.moRatePerSecond);
      } catch (e) {
        deps.onThrottled?.(msg.link);
        throw e;
      }
    }
    // An archive-feed link copies subscribers' traffic to any number: no short code to check (mo worker stores it).
    const feed = view.links.get(msg.link)?.archiveFeed === true;
    // A USSD MO names its service in the text (`*111#`), not in destination_addr: ussd-worker.ts answers any.
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
    const jobId = moIdentity(msg.link, msg.sessionId, msg.sequenceNumber);
    let timer: NodeJS.Timeout | undefined;
    // Past the timeout the peer is refused (it will retry) even though the add may still land in Redis:
    // that retry then arrives with a new sequence number, so the MO can be acted on twice. Rare (Redis
    // stalled for ENQUEUE_TIMEOUT_MS) and the price of never answering OK for a message not stored.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ScgwError('SCGW_QUEUE_TIMEOUT', `mo enqueue took over ${deps.enqueueTimeoutMs} ms`)), deps.enqueueTimeoutMs);
    });
    try {
      // Durable from here: Redis answered the write (with AOF, fsynced within a second).
      await Promise.race([deps.queues.mo.add('mo', toMoJob(msg, corr), { ...MO_JOB_OPTIONS, jobId }), timeout]);
    } catch (e) {
      if (e instanceof ScgwError) throw e;
      throw new ScgwError('SCGW_REDIS_UNAVAILABLE', 'mo enqueue failed', { cause: e });
    } finally {
      clearTimeout(timer);
    }
    deps.onAccepted?.(msg);
  };
}
