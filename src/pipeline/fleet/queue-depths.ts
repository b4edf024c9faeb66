/** Queue depths for the heartbeat: counts per state, paused or not (a paused queue keeps its jobs in wait, BullMQ 6), and how long the oldest waiting job has waited. */
import type { Queue } from 'bullmq';
import type { Queues } from '../queues.js';
import type { QueueBeat } from './types.js';

async function depth(q: Queue, now: number): Promise<QueueBeat> {
  const [counts, paused, oldest] = await Promise.all([
    q.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
    q.isPaused(),
    // The oldest of each waiting list (asc), whichever is older; only its timestamp is read.
    q.getJobs(['wait', 'prioritized'], 0, 0, true),
  ]);
  const first = Math.min(...oldest.map((j) => j.timestamp));
  return {
    name: q.name,
    waiting: (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0),
    active: counts['active'] ?? 0,
    delayed: counts['delayed'] ?? 0,
    failed: counts['failed'] ?? 0,
    paused,
    oldestWaitingS: Number.isFinite(first) ? Math.max(0, Math.round((now - first) / 100) / 10) : null,
  };
}

/** `mo` and `mt-<link>` of every configured link. */
export function queueDepths(queues: Pick<Queues, 'mo' | 'mt'>, links: Iterable<string>, now = Date.now()): Promise<QueueBeat[]> {
  return Promise.all([queues.mo as Queue, ...[...links].sort().map((l) => queues.mt(l) as Queue)].map((q) => depth(q, now)));
}
