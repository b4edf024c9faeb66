/**
 * The `apps` worker: one job per forward (jobId = the forward's id, data only the id: the text stays in PostgreSQL).
 * A run reads the forward and its app, asks the gate (per-app cap, breaker) whether it may POST now, counts the
 * attempt, POSTs, and ends the forward with the app's replies, or with the fallback after the last retryable failure
 * or at once on a permanent one. Waits (backoff, a busy app, an open breaker) move the job to delayed without using
 * a BullMQ attempt; BullMQ's own retries are only for our faults (the database away).
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { APP_FALLBACK_TEMPLATE, type Locale } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { beginAttempt, getApp, getForward, noteFailure, type AppRow, type ForwardRow } from '../../db/queries/apps.js';
import { withoutQueryParams, type Logger } from '../../log.js';
import type { OutboxRelay } from '../outbox/relay.js';
import { backoffDelay, WORKER_RECOVERY_OPTIONS } from '../queues.js';
import { finish, localeOf } from './finish.js';
import type { AppGate } from './gate.js';
import { postForward, type PostOutcome } from './post.js';

export const APPS_QUEUE = 'apps';
export interface AppJob { id: string }

/** The longest wait between two attempts, however large the app's backoff doubles to. */
const MAX_BACKOFF_MS = 10 * 60_000;

export type ForwardOutcome = 'done' | 'failed' | 'retry' | 'delayed-open' | 'delayed-busy';

export interface AppWorkerDeps {
  db: Db;
  relay: Pick<OutboxRelay, 'relay'>;
  gate: AppGate;
  log: Logger;
  now(): Date;
  render(key: string, locale: Locale): string;
  tagMsisdn(msisdn: string): string;
  onOutcome?(app: string, outcome: ForwardOutcome): void;
}

export function createAppWorker(connection: Redis | Cluster, prefix: string, concurrency: number, deps: AppWorkerDeps): Worker<AppJob> {
  return new Worker<AppJob>(APPS_QUEUE, (job, token) => processAppJob(job, token, deps).catch((e: unknown) => {
    if (e instanceof DelayedError) throw e;
    throw withoutQueryParams(e);
  }), { connection, prefix, concurrency, settings: { backoffStrategy: backoffDelay }, ...WORKER_RECOVERY_OPTIONS });
}

/** The wait after `attempt` failed: the app's backoff, doubled per attempt after the first. */
export function backoffAfter(app: Pick<AppRow, 'backoffMs'>, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, app.backoffMs * 2 ** Math.max(0, attempt - 1));
}

export async function processAppJob(job: Job<AppJob>, token: string | undefined, deps: AppWorkerDeps): Promise<void> {
  const fw = await getForward(deps.db, job.data.id);
  if (!fw || fw.state !== 'pending') return; // ended by an earlier run; nothing to do
  const log = deps.log.child({ corr: fw.corr, app: fw.app, msisdn: deps.tagMsisdn(fw.msisdn) });
  const app = await getApp(deps.db, fw.app);
  if (!app || !app.enabled) {
    await giveUp(fw, app, app ? 'app disabled' : 'app removed', deps, log);
    return;
  }
  if (fw.attempts >= app.maxAttempts) {
    // A crash after the last attempt was counted, before its outcome was written.
    await giveUp(fw, app, fw.lastError ?? 'attempts used up', deps, log);
    return;
  }
  const pass = deps.gate.enter(app.name, app.concurrency);
  if (!pass.ok) {
    deps.onOutcome?.(app.name, pass.why === 'open' ? 'delayed-open' : 'delayed-busy');
    return delay(job, token, pass.waitMs);
  }
  let outcome: PostOutcome;
  let attempt: number | null;
  try {
    attempt = await beginAttempt(deps.db, fw.id, deps.now());
    // Durable from here: this attempt counts, whatever happens to the POST.
    if (attempt === null) return;
    outcome = await postForward(app, fw.id, JSON.stringify(fw.payload), deps.now());
  } catch (e) {
    pass.release('neutral');
    throw e;
  }
  pass.release(outcome.kind === 'retry' ? 'failure' : outcome.kind === 'ok' ? 'success' : 'neutral');
  if (outcome.kind === 'ok') {
    const ended = await finish(deps.db, deps.relay, fw, 'done', { template: 'app.reply', texts: outcome.replies }, deps.now(), null);
    if (ended) deps.onOutcome?.(app.name, 'done');
    log.debug({ attempt, status: outcome.status, replies: outcome.replies.length }, 'app answered');
    return;
  }
  if (outcome.kind === 'fail' || attempt >= app.maxAttempts) {
    log.warn({ attempt, why: outcome.why }, outcome.kind === 'fail' ? 'app refused the forward; fallback sent' : 'app failed on every attempt; fallback sent');
    await giveUp(fw, app, outcome.why, deps, log);
    return;
  }
  await noteFailure(deps.db, fw.id, outcome.why, deps.now());
  deps.onOutcome?.(app.name, 'retry');
  log.info({ attempt, why: outcome.why }, 'app failed; will retry');
  return delay(job, token, backoffAfter(app, attempt));
}

/** The fallback to the subscriber, once (the guarded finish), and the forward failed. */
async function giveUp(fw: ForwardRow, app: AppRow | undefined, why: string, deps: AppWorkerDeps, log: Logger): Promise<void> {
  const locale = localeOf(fw);
  const template = app?.fallbackText ? 'app.fallback.text' : (app?.fallbackTemplate ?? APP_FALLBACK_TEMPLATE);
  const text = app?.fallbackText ?? deps.render(template, locale);
  const ended = await finish(deps.db, deps.relay, fw, 'failed', { template, texts: text.trim() ? [text] : [] }, deps.now(), why);
  if (ended) {
    deps.onOutcome?.(fw.app, 'failed');
    if (!app?.enabled) log.warn({ why }, 'forward not posted; fallback sent');
  }
}

/** Back to the queue for `ms`, holding no worker slot and using no BullMQ attempt. */
async function delay(job: Job<AppJob>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}
