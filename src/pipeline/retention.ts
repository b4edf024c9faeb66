/**
 * The retention job: on a timer on every workers node, but one node per interval (a Redis lock, SET NX PX),
 * it deletes old rows in small batches (db/queries/retention.ts) and tidies the queues: completed jobs
 * removed, failed jobs stripped of their text (mt: the reply, which may hold a password; mo: the
 * subscriber's message) and removed after RETAIN_FAILED_JOBS_DAYS. Its last report is kept in Redis for
 * `GET /admin/storage`. Every step is idempotent: a crash mid-run only leaves work for the next run.
 */
import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import { listLinks } from '../db/queries/links.js';
import { pruneExpired, type PruneCounts, type RetentionPolicy } from '../db/queries/retention.js';
import type { Logger } from '../log.js';
import { MO_QUEUE, type Queues } from './queues.js';

export interface PruneReport {
  at: string;
  ms: number;
  deleted: PruneCounts;
  jobs: { removed: number; blanked: number };
}

export interface QueueCounts { queue: string; waiting: number; active: number; delayed: number; failed: number; completed: number }

export interface RedisStorage {
  usedMemoryBytes: number;
  peakMemoryBytes: number;
  maxMemoryBytes: number;
  queues: QueueCounts[];
}

export interface Retention {
  /** One run now, whatever the lock says (tests, and the timer once it holds the lock). */
  run(): Promise<PruneReport>;
  lastRun(): Promise<PruneReport | null>;
  redisStorage(): Promise<RedisStorage>;
  close(): Promise<void>;
}

export interface RetentionDeps {
  db: Db;
  /** A client with enableOfflineQueue false is fine: a run while Redis is away fails and waits for the next. */
  redis: Redis | Cluster;
  queues: Queues;
  prefix: string;
  log: Logger;
  policy: RetentionPolicy;
  failedJobsDays: number;
  batch: number;
  /** 0: no timer (a web-only node still reports storage). */
  everyMs: number;
  now?: () => Date;
}

/** Pages of failed jobs read per step; failed jobs read per run at most (the rest next run). */
const PAGE = 100;
const MAX_FAILED_SCANNED = 20_000;

export function createRetention(deps: RetentionDeps): Retention {
  const now = deps.now ?? (() => new Date());
  const lockKey = `${deps.prefix}:retention-lock`;
  const reportKey = `${deps.prefix}:retention-last`;
  const token = randomUUID();

  async function allQueues(): Promise<Array<Queue>> {
    const links = await listLinks(deps.db);
    return [deps.queues.mo as Queue, ...links.map((l) => deps.queues.mt(l.name) as Queue)];
  }

  async function tidyQueue(q: Queue): Promise<{ removed: number; blanked: number }> {
    let removed = 0;
    // Completed jobs carry their payload (text); nothing reads them once done, so none are kept.
    for (;;) {
      const ids = await q.clean(0, deps.batch, 'completed');
      removed += ids.length;
      if (ids.length < deps.batch) break;
    }
    for (;;) {
      const ids = await q.clean(deps.failedJobsDays * 86_400_000, deps.batch, 'failed');
      removed += ids.length;
      if (ids.length < deps.batch) break;
    }
    let blanked = 0;
    for (let start = 0; start < MAX_FAILED_SCANNED; start += PAGE) {
      const jobs = await q.getFailed(start, start + PAGE - 1);
      for (const job of jobs) if (await blank(job)) blanked++;
      if (jobs.length < PAGE) break;
    }
    return { removed, blanked };
  }

  async function run(): Promise<PruneReport> {
    const started = Date.now();
    const deleted = await pruneExpired(deps.db, deps.policy, { now: now(), batch: deps.batch, maxBatches: 1000 });
    const jobs = { removed: 0, blanked: 0 };
    for (const q of await allQueues()) {
      const r = await tidyQueue(q);
      jobs.removed += r.removed;
      jobs.blanked += r.blanked;
    }
    const report: PruneReport = { at: now().toISOString(), ms: Date.now() - started, deleted, jobs };
    await deps.redis.set(reportKey, JSON.stringify(report));
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    if (total || jobs.removed || jobs.blanked) deps.log.info({ ...report }, 'retention: old rows and jobs removed');
    else deps.log.debug({ ms: report.ms }, 'retention: nothing to remove');
    return report;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    try {
      // One node per interval: the lock lives as long as the interval, so a node that dies mid-run only
      // delays the next run. A run longer than the interval may overlap the next one; both are idempotent.
      if ((await deps.redis.set(lockKey, token, 'PX', deps.everyMs, 'NX')) === 'OK') await run();
    } catch (e) {
      deps.log.warn({ err: e }, 'retention run failed; will retry');
    }
    if (!stopped) timer = setTimeout(() => { running = tick(); }, deps.everyMs);
  };
  if (deps.everyMs > 0) {
    // The first run soon after start (a node that was down a while catches up), not at once: start-up
    // (migrations, the outbox sweep) comes first.
    timer = setTimeout(() => { running = tick(); }, Math.min(deps.everyMs, 30_000));
  }

  return {
    run,
    async lastRun() {
      const raw = await deps.redis.get(reportKey);
      return raw ? (JSON.parse(raw) as PruneReport) : null;
    },
    async redisStorage() {
      // A cluster's memory is its masters' together (INFO on a cluster client reaches one node).
      const nodes = deps.redis.isCluster ? (deps.redis as Cluster).nodes('master') : [deps.redis];
      const infos = await Promise.all(nodes.map((n) => n.info('memory')));
      const field = (k: string) => infos.reduce((sum, info) => sum + Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? 0), 0);
      const queues: QueueCounts[] = [];
      for (const q of await allQueues()) {
        const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
        queues.push({ queue: q.name, waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), active: c['active'] ?? 0, delayed: c['delayed'] ?? 0, failed: c['failed'] ?? 0, completed: c['completed'] ?? 0 });
      }
      return { usedMemoryBytes: field('used_memory'), peakMemoryBytes: field('used_memory_peak'), maxMemoryBytes: field('maxmemory'), queues };
    },
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** Strips a failed job's text, keeping what says which message it was (corr, outbox id, link, numbers); an mo batch's of each MO. */
async function blank(job: Job): Promise<boolean> {
  const d = job.data as Record<string, unknown>;
  const textKeys = job.queueName === MO_QUEUE ? ['sm', 'payload'] : ['body', 'payload'];
  const hasText = (o: Record<string, unknown>) => textKeys.some((k) => typeof o[k] === 'string' && o[k] !== '');
  const strip = (o: Record<string, unknown>) => {
    const stripped: Record<string, unknown> = { ...o };
    for (const k of textKeys) if (k in stripped) stripped[k] = '';
    return stripped;
  };
  if (d['kind'] === 'mo-batch' && Array.isArray(d['mos'])) {
    const mos = d['mos'] as Array<Record<string, unknown>>;
    if (!mos.some(hasText)) return false;
    await job.updateData({ ...d, mos: mos.map(strip) });
    return true;
  }
  if (!hasText(d)) return false;
  await job.updateData(strip(d));
  return true;
}
