/**
 * pipeline/apps/: forwarding MO to HTTP apps (issue 11). The `app.forward` action records a forward in the MO's
 * transaction (app_forwards, the forwards' outbox); right after commit the MO executor queues it on `apps` (jobId =
 * the forward's id), and a sweep queues again any pending forward whose job was lost. The worker (worker.ts) POSTs,
 * retries, opens the breaker (gate.ts), and ends each forward with its replies in one transaction (finish.ts).
 * Promises: a forward is posted until it ends (at most the app's max_attempts, with one Idempotency-Key), and its
 * replies or its fallback reach the outbox once. Imports actions/ and db/; never web/ or cli/.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Db } from '../../db/client.js';
import { stalePendingForwards } from '../../db/queries/apps.js';
import type { Logger } from '../../log.js';
import { FAILED_JOB_AGE_S } from '../queues.js';
import { APPS_QUEUE, type AppJob } from './worker.js';

export { createAppGate, type AppGate } from './gate.js';
export { createAppWorker, APPS_QUEUE, type AppJob, type ForwardOutcome } from './worker.js';
export { signature } from './post.js';

/** Completed jobs go at once (the forward's row is the record); BullMQ's attempts cover our own faults only. */
export const APP_JOB_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: FAILED_JOB_AGE_S },
};

/** Rows per sweep query. */
const SWEEP_BATCH = 500;

export interface AppForwards {
  /** Queues a committed forward (the same id twice queues once while its job exists). */
  enqueue(id: string): Promise<void>;
  /** Queues again pending forwards untouched for `olderThanMs`; returns how many it looked at. */
  sweep(olderThanMs?: number): Promise<number>;
  queue: Queue<AppJob>;
  close(): Promise<void>;
}

export function createAppForwards(deps: { db: Db; producer: Redis | Cluster; prefix: string; log: Logger; sweepEveryMs: number; sweepAfterMs: number; now(): Date }): AppForwards {
  const queue = new Queue<AppJob>(APPS_QUEUE, { connection: deps.producer, prefix: deps.prefix });
  const add = (id: string) => queue.add('forward', { id }, { ...APP_JOB_OPTIONS, jobId: id }).then(() => undefined);
  async function sweep(olderThanMs = deps.sweepAfterMs) {
    const rows = await stalePendingForwards(deps.db, new Date(deps.now().getTime() - olderThanMs), SWEEP_BATCH);
    // A forward whose job still exists (waiting, delayed for backoff, active) is not queued again: same jobId.
    if (rows.length) await queue.addBulk(rows.map((r) => ({ name: 'forward', data: { id: r.id }, opts: { ...APP_JOB_OPTIONS, jobId: r.id } })));
    return rows.length;
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  if (deps.sweepEveryMs > 0) {
    const tick = async (olderThanMs?: number) => {
      try { await sweep(olderThanMs); } catch (e) { deps.log.warn({ err: e }, 'app forward sweep failed; will retry'); }
      if (!stopped) timer = setTimeout(() => void tick(), deps.sweepEveryMs);
    };
    // On start every pending forward at once: those a killed process committed but never queued go out now.
    timer = setTimeout(() => void tick(0), 0);
  }
  return {
    enqueue: add,
    sweep,
    queue,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await queue.close();
    },
  };
}
