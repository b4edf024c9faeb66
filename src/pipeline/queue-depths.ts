/**
 * The depth of every queue (`mo`, and `mt-<link>` for each configured link), read from Redis: for the
 * /metrics scrape (web/metrics.ts asks at scrape time, so an idle gateway costs no Redis round trips).
 * One getJobCounts per queue; the producer connection auto-pipelines them into one write.
 */
import { mtQueueName, type Queues } from './queues.js';

/** BullMQ's list names → the state names of scgw_queue_jobs (`wait` is the waiting list). */
const STATES = { wait: 'waiting', active: 'active', delayed: 'delayed', prioritized: 'prioritized', failed: 'failed' } as const;
type State = (typeof STATES)[keyof typeof STATES];

export async function queueDepths(queues: Pick<Queues, 'mo' | 'mt'>, links: Iterable<string>): Promise<Array<{ queue: string; counts: Record<State, number> }>> {
  const names = [...links];
  const types = Object.keys(STATES) as Array<keyof typeof STATES>;
  const all = await Promise.all([queues.mo.getJobCounts(...types), ...names.map((l) => queues.mt(l).getJobCounts(...types))]);
  return all.map((raw, i) => {
    const counts = {} as Record<State, number>;
    for (const t of types) counts[STATES[t]] = raw[t] ?? 0;
    return { queue: i === 0 ? queues.mo.name : mtQueueName(names[i - 1]!), counts };
  });
}
