/**
 * Intake's enqueue batcher: the `mo` jobs of one gather window (gatherMs from the first; the PDUs node-smpp parsed
 * from the socket reads of those ticks, of every session) go to Redis as ONE job: an `mo-batch` (jobs.ts) holding each
 * MO under the identity it would have had as a job of its own, so the window costs Redis one add script, and the
 * worker one fetch and one finish, instead of three Lua scripts per MO (about 250 µs of Redis time per MO at window
 * 10, most of Redis's work). A window with one MO stores it as a job of its own, under its identity as jobId. Each
 * caller resolves only once the job has been answered (and, with ACK_DURABILITY=replica, once one WAIT after it
 * says it reached the replicas): its PDU is acked after its batch is durable, never before. The add is one script,
 * so a batch is stored whole or not at all; when its answer is lost, the job is looked up, and if it is stored all
 * of its MO are acked. Otherwise every caller is refused (ESME_RMSGQFUL) and the peer retries.
 */
import type { JobsOptions, Queue } from 'bullmq';
import { nanoid } from 'nanoid';
import type { MoBatchJob, MoJob, MoQueueJob } from '../jobs.js';

export interface EnqueueItem {
  data: MoJob;
  opts: JobsOptions;
  /** Checked when the bulk is issued: true drops the job (its caller gave up, so storing it would only make the retry a second action). */
  withdrawn?(): boolean;
  /** Its sender waits for an answer before it sends more (its window is taken): the bulk is issued this tick. */
  now?: boolean;
}

export interface MoEnqueuer {
  /** Resolves when the job's bulk is stored (and past `afterBulk`); rejects with the bulk's error. */
  enqueue(item: EnqueueItem): Promise<void>;
  /** MO per stored job, averaged over this node's recent ticks (at least 1): turns a count of `mo` jobs into MO. */
  moPerJob(): number;
}

interface Pending { item: EnqueueItem; resolve(): void; reject(e: unknown): void }

export function createMoEnqueuer(deps: {
  queue: Pick<Queue<MoQueueJob>, 'addBulk' | 'getJob'>;
  /** Runs once per bulk after Redis answered it (ACK_DURABILITY=replica: one WAIT covers the whole bulk). */
  afterBulk?(): Promise<void>;
  /** MO per job at most; a larger tick is split (one job each, issued at once). */
  maxBulk?: number;
  /**
   * How long the first MO of a bulk waits for others (MO_GATHER_MS, default 2; 0: the tick's MO only). Below
   * saturation MO come a few per tick, and each job costs Redis and the worker the same fixed work (add, fetch,
   * finish) however many MO it holds. An MO whose sender's window is taken (EnqueueItem.now), or a full bulk, is
   * issued at once: waiting would only hold the sender up.
   */
  gatherMs?: number;
}): MoEnqueuer {
  const maxBulk = deps.maxBulk ?? 64;
  const gatherMs = deps.gatherMs ?? 2;
  let pending: Pending[] = [];
  let scheduled = false; // a drain is due this tick (setImmediate)
  let gather: NodeJS.Timeout | undefined; // or when the gather window ends
  let perJob = 1;

  /** One job for the tick's MO: alone under its own identity, else a batch under a fresh id (never a retried one's). */
  function jobOf(live: Pending[]): { name: string; data: MoQueueJob; opts: JobsOptions } {
    const first = live[0]!.item;
    if (live.length === 1) return { name: 'mo', data: first.data, opts: first.opts };
    const seen = new Set<string>();
    const mos: MoBatchJob['mos'] = [];
    for (const { item } of live) {
      const id = item.opts.jobId!;
      // The same PDU twice in one tick (a peer re-sending it at once): stored once, both copies acked with it.
      if (!seen.has(id)) { seen.add(id); mos.push({ ...item.data, id }); }
    }
    const { jobId: _, ...opts } = first.opts;
    return { name: 'mo', data: { kind: 'mo-batch', mos }, opts: { ...opts, jobId: `mb-${nanoid(16)}` } };
  }

  async function flush(items: Pending[]): Promise<void> {
    const live: Pending[] = [];
    for (const p of items) {
      if (p.item.withdrawn?.()) p.resolve(); // its caller already refused the PDU; nothing is written for it
      else live.push(p);
    }
    if (live.length === 0) return;
    const job = jobOf(live);
    perJob += (live.length - perJob) / 16;
    try {
      await deps.queue.addBulk([job]);
    } catch (e) {
      // The add is one script: stored whole or not at all. Its answer may be lost with the connection though the
      // job landed; a stored job is acked, since refusing it would make the peer's retry a second action.
      if (await stored(job.opts.jobId)) await settle(live);
      else for (const p of live) p.reject(e);
      return;
    }
    await settle(live);
  }

  /** Whether the job is in Redis after a failed add; false when Redis cannot even be read. */
  async function stored(jobId: string | undefined): Promise<boolean> {
    if (jobId === undefined) return false;
    try {
      return (await deps.queue.getJob(jobId)) !== undefined;
    } catch {
      return false;
    }
  }

  async function settle(live: Pending[]): Promise<void> {
    if (live.length === 0) return;
    try {
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
    clearTimeout(gather);
    gather = undefined;
    const items = pending;
    pending = [];
    for (let i = 0; i < items.length; i += maxBulk) void flush(items.slice(i, i + maxBulk));
  }

  return {
    moPerJob: () => Math.max(1, perJob),
    enqueue(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (scheduled) return;
        // setImmediate: after the I/O callbacks of this turn, so the PDUs of every socket read in it share a bulk.
        if (gatherMs === 0 || item.now === true || pending.length >= maxBulk) { scheduled = true; setImmediate(drain); }
        else gather ??= setTimeout(drain, gatherMs);
      });
    },
  };
}
