/**
 * What the database and Redis say after the drain, per MO (one number each): was it acted on (rows in
 * `operations` for archive.activate), how often, how many replies did the peer get and were they the same
 * reply twice (a deliver_sm re-sent) or two different replies (two actions); plus what is still queued.
 */
import { Queue } from 'bullmq';
import postgres from 'postgres';
import { MO_QUEUE, mtQueueName } from '../../src/pipeline/queues.js';
import type { MoRecord } from './peer.js';

export interface MoVerdict {
  acked: boolean;
  /** Its job is still in the mo queue (the drain did not finish). */
  queued: boolean;
  actions: number;
  replies: number;
  /** Replies beyond the first that repeat an earlier reply's text (the same deliver_sm again). */
  sameReplyAgain: number;
}

export interface Leftovers {
  /** BullMQ job counts of the mo and mt queues: anything but completed means work left or given up. */
  mo: Record<string, number>;
  mt: Record<string, number>;
  outboxUnsent: number;
  outboxUnrelayed: number;
  /** Numbers whose MO job is still waiting, active or delayed in Redis: not acted on yet, but not lost either. */
  queuedSources: Set<string>;
}

export async function readActions(databaseUrl: string, msisdns: string[]): Promise<Map<string, number>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ msisdn: string; n: number }[]>`
      select msisdn, count(*)::int as n from operations
      where action = 'archive.activate' and outcome = 'ok' and msisdn = any(${msisdns})
      group by msisdn`;
    return new Map(rows.map((r) => [r.msisdn, r.n]));
  } finally {
    await sql.end();
  }
}

export async function readLeftovers(o: { databaseUrl: string; redisUrl: string; prefix: string; link: string }): Promise<Leftovers> {
  const { Redis } = await import('ioredis');
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const sql = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const states = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;
    const counts = async (name: string) => {
      const q = new Queue(name, { connection, prefix: o.prefix });
      try { return await q.getJobCounts(...states); } finally { await q.close(); }
    };
    const [row] = await sql<{ unsent: number; unrelayed: number }[]>`
      select count(*) filter (where status = 'pending')::int as unsent, count(*) filter (where relayed_at is null)::int as unrelayed from outbox`;
    const moQueue = new Queue<{ source?: string }>(MO_QUEUE, { connection, prefix: o.prefix });
    const queuedSources = new Set<string>();
    try {
      for (const job of await moQueue.getJobs(['waiting', 'active', 'delayed', 'prioritized'])) if (job?.data.source) queuedSources.add(job.data.source);
    } finally {
      await moQueue.close();
    }
    return { mo: await counts(MO_QUEUE), mt: await counts(mtQueueName(o.link)), outboxUnsent: row?.unsent ?? 0, outboxUnrelayed: row?.unrelayed ?? 0, queuedSources };
  } finally {
    await sql.end();
    connection.disconnect();
  }
}

export function verdict(r: MoRecord, actions: Map<string, number>, queued: Set<string>): MoVerdict {
  const seen = new Set<string>();
  let sameReplyAgain = 0;
  for (const t of r.replies) {
    if (seen.has(t)) sameReplyAgain++;
    seen.add(t);
  }
  return { acked: r.ackAt !== null, queued: queued.has(r.msisdn), actions: actions.get(r.msisdn) ?? 0, replies: r.replies.length, sameReplyAgain };
}
