/**
 * BullMQ queues: `mo` (every accepted MO, and concat timeouts) and one `mt-<link>` per link (BullMQ
 * forbids ':' in names; one queue per link because the rate limiter is per queue, LIBRARIES.md §3).
 */
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { MoQueueJob, MtJob } from './jobs.js';

export const MO_QUEUE = 'mo';

/** Set by the mt worker right after a reply went out; checked before a reply is queued or sent again. */
export const mtSentKey = (prefix: string, outboxId: number) => `${prefix}:mt-sent:${outboxId}`;
export const MT_SENT_TTL_S = 7 * 86400;
/**
 * A fresh reply a node is sending straight from its relay, with no mt job (mt/direct.ts): the sweeps leave it
 * alone while this marker lives (twice the response timeout and a margin), then relay it if it is still unsent.
 */
export const mtInflightKey = (prefix: string, outboxId: number) => `${prefix}:mt-inflight:${outboxId}`;
/**
 * Hash of a multi-part reply's parts the peer accepted (part index → message_id), written right after each
 * part's response: a re-run sends only the others, and the sent mark carries every message_id. Same TTL.
 */
export const mtPartsKey = (prefix: string, outboxId: number) => `${prefix}:mt-parts:${outboxId}`;
export const mtQueueName = (link: string) => `mt-${link}`;

/** Exponential from 500 ms, capped at 30 s: a job waits out a database or peer outage, and is never dropped. */
export function backoffDelay(attemptsMade: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Failed jobs leave Redis after this long (a job fails only after all its attempts; the outbox row, not the
 * job, is the record). The retention job (retention.ts) also blanks their text at once and ages them out on
 * RETAIN_FAILED_JOBS_DAYS (at most 30); this option is the backstop BullMQ applies whenever another job fails.
 */
export const FAILED_JOB_AGE_S = 30 * 86400;

/**
 * Completed mo jobs are removed at once: their data is the subscriber's text, and "acted once" lives in
 * Postgres (processed_mo), not in a kept job. A re-added jobId after removal only runs into that key.
 */
export const MO_JOB_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: FAILED_JOB_AGE_S },
};

/** Completed mt jobs are removed at once: their data holds the reply text (passwords). */
export const MT_JOB_OPTIONS: JobsOptions = {
  attempts: 200,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: FAILED_JOB_AGE_S },
};

/**
 * How fast another node (or the restarted one) takes over the jobs of a killed process. A dead worker's
 * job stays active until its lock expires and a stalled check (one per queue per interval, whichever node)
 * finds it: at most lockDuration + stalledInterval, here about 8 s instead of BullMQ's 60 s.
 * - The lock is renewed every lockDuration/2 (BullMQ's lock manager), so a false stall needs the event loop
 *   or the Redis round trip to stall for over ~3 s (bullmq#2857, #3078: CPU-bound jobs). Our jobs yield:
 *   password hashes run on the libuv pool. A false stall only runs a job twice, which processed_mo (mo)
 *   and the sent-marker (mt) absorb.
 * - maxStalledCount counts stalls of one job: BullMQ's 1 would fail (and so drop) an MO the second time its
 *   node dies or stalls. 20 keeps it through crashes and load, and still stops a job that kills every
 *   worker it lands on.
 */
export const WORKER_RECOVERY_OPTIONS = {
  lockDuration: 6000,
  stalledInterval: 2000,
  maxStalledCount: 20,
} as const;

/**
 * How long a job waited in its queue before its first run (ms): from its add, plus the delay it was added
 * with, to the start of processing. Undefined on later runs (retries, rate-limited or delayed again), whose
 * wait is backoff by design, not queueing.
 */
export function firstWaitMs(job: Pick<Job, 'timestamp' | 'processedOn' | 'attemptsStarted' | 'attemptsMade' | 'opts'>, now = Date.now()): number | undefined {
  if (job.attemptsStarted > 1 || job.attemptsMade > 0) return undefined;
  return (job.processedOn ?? now) - job.timestamp - (job.opts.delay ?? 0);
}

export interface Queues {
  mo: Queue<MoQueueJob>;
  mt(link: string): Queue<MtJob>;
  close(): Promise<void>;
}

/** `producer` must be an ioredis client with enableOfflineQueue: false, so add() fails fast when Redis is gone. */
export function createMoQueue(connection: Redis | Cluster, prefix: string): Queue<MoQueueJob> {
  return new Queue<MoQueueJob>(MO_QUEUE, { connection, prefix });
}

export function createQueues(producer: Redis | Cluster, prefix: string): Queues {
  const mo = createMoQueue(producer, prefix);
  const mts = new Map<string, Queue<MtJob>>();
  return {
    mo,
    mt(link) {
      let q = mts.get(link);
      if (!q) {
        q = new Queue<MtJob>(mtQueueName(link), { connection: producer, prefix });
        mts.set(link, q);
      }
      return q;
    },
    async close() {
      await Promise.all([mo.close(), ...[...mts.values()].map((q) => q.close())]);
    },
  };
}
