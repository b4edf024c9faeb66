/**
 * Intake's enqueue batcher: the `mo` jobs of one event-loop tick (the PDUs node-smpp parsed from one socket read,
 * and those of every other session in the same turn) go to Redis as ONE `Queue.addBulk` (one pipelined round
 * trip) instead of one `add` each. Each caller resolves only once the whole bulk has been answered (and, with
 * ACK_DURABILITY=replica, once one WAIT after it says the bulk reached the replicas): its PDU is acked after its
 * batch is durable, never before. Any failure of the bulk rejects every caller of it: the peer is refused
 * (ESME_RMSGQFUL) for each and retries. BullMQ's addBulk pipelines one add script per job and throws on the first
 * error though the others may have landed: after a failed bulk each job is looked up, and those stored are acked.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { MoQueueJob } from '../jobs.js';

export interface EnqueueItem {
  data: MoQueueJob;
  opts: JobsOptions;
  /** Checked when the bulk is issued: true drops the job (its caller gave up, so storing it would only make the retry a second action). */
  withdrawn?(): boolean;
}

export interface MoEnqueuer {
  /** Resolves when the job's bulk is stored (and past `afterBulk`); rejects with the bulk's error. */
  enqueue(item: EnqueueItem): Promise<void>;
}

interface Pending { item: EnqueueItem; resolve(): void; reject(e: unknown): void }

export function createMoEnqueuer(deps: {
  queue: Pick<Queue<MoQueueJob>, 'addBulk' | 'getJob'>;
  /** Runs once per bulk after Redis answered it (ACK_DURABILITY=replica: one WAIT covers the whole bulk). */
  afterBulk?(): Promise<void>;
  /** Jobs per bulk at most; a larger tick is split (one pipeline each, issued at once). */
  maxBulk?: number;
  onBulk?(size: number): void;
}): MoEnqueuer {
  const maxBulk = deps.maxBulk ?? 256;
  let pending: Pending[] = [];
  let scheduled = false;

  async function flush(items: Pending[]): Promise<void> {
    const live: Pending[] = [];
    for (const p of items) {
      if (p.item.withdrawn?.()) p.resolve(); // its caller already refused the PDU; nothing is written for it
      else live.push(p);
    }
    if (live.length === 0) return;
    try {
      await deps.queue.addBulk(live.map((p) => ({ name: 'mo', data: p.item.data, opts: p.item.opts })));
    } catch (e) {
      // addBulk pipelines one add per job and throws on the first error, yet the others may have landed
      // (Redis hitting maxmemory mid-bulk refuses only the adds after that point). A job that is stored is
      // acked: refusing it would make the peer's retry, under a new sequence number, a second action.
      const stored = await storedOf(live);
      for (const p of live) if (!stored.has(p)) p.reject(e);
      await settle(live.filter((p) => stored.has(p)));
      return;
    }
    await settle(live);
  }

  /** The items whose job is in Redis after a failed bulk; none when Redis cannot even be read. */
  async function storedOf(items: Pending[]): Promise<Set<Pending>> {
    try {
      const jobs = await Promise.all(items.map((p) => (p.item.opts.jobId === undefined ? undefined : deps.queue.getJob(p.item.opts.jobId))));
      return new Set(items.filter((_, i) => jobs[i] !== undefined));
    } catch {
      return new Set();
    }
  }

  async function settle(live: Pending[]): Promise<void> {
    if (live.length === 0) return;
    try {
      deps.onBulk?.(live.length);
      await deps.afterBulk?.();
    } catch (e) {
      for (const p of live) p.reject(e);
      return;
    }
    // Durable from here: every job of the bulk answered by Redis (and replicated, if asked).
    for (const p of live) p.resolve();
  }

  function drain() {
    scheduled = false;
    const items = pending;
    pending = [];
    for (let i = 0; i < items.length; i += maxBulk) void flush(items.slice(i, i + maxBulk));
  }

  return {
    enqueue(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        // setImmediate: after the I/O callbacks of this turn, so the PDUs of every socket read in it share a bulk.
        if (!scheduled) { scheduled = true; setImmediate(drain); }
      });
    },
  };
}
