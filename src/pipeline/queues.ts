/**
 * BullMQ queues: `mo` (every accepted MO, and concat timeouts) and one `mt-<link>` per link (BullMQ
 * forbids ':' in names; one queue per link because the rate limiter is per queue, LIBRARIES.md §3).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MoQueueJob, MtJob } from './jobs.js';

export const MO_QUEUE = 'mo';

/** Set by the mt worker right after a reply went out; checked before a reply is queued or sent again. */
export const mtSentKey = (prefix: string, outboxId: number) => `${prefix}:mt-sent:${outboxId}`;
export const MT_SENT_TTL_S = 7 * 86400;
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

export const MO_JOB_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'custom' },
  removeOnComplete: { age: 3600, count: 100_000 },
  removeOnFail: false,
};

/** Completed mt jobs are removed at once: their data holds the reply text (passwords). */
export const MT_JOB_OPTIONS: JobsOptions = {
  attempts: 200,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: false,
};

export interface Queues {
  mo: Queue<MoQueueJob>;
  mt(link: string): Queue<MtJob>;
  close(): Promise<void>;
}

/** `producer` must be an ioredis client with enableOfflineQueue: false, so add() fails fast when Redis is gone. */
export function createQueues(producer: Redis, prefix: string): Queues {
  const mo = new Queue<MoQueueJob>(MO_QUEUE, { connection: producer, prefix });
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
