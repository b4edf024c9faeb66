/**
 * The `mo` worker: decode with the link's settings, reassemble, route, and run the action in a Postgres
 * transaction keyed by the MO's idempotency key (shared with other MO by group commit, batch.ts); the
 * same transaction writes the operations log and the replies (outbox). BullMQ delivers at least once; the
 * processed_mo row makes the action happen once.
 */
import { Worker, type Job, type Queue } from 'bullmq';
import type { LimitFunction } from 'p-limit';
import type { Cluster, Redis } from 'ioredis';
import type { ActionDeps } from '../../actions/index.js';
import { planAction } from '../../actions/plan.js';
import type { Db } from '../../db/client.js';
import { withoutQueryParams, type Logger } from '../../log.js';
import { matchRoute } from '../../routing/index.js';
import { decodeUserData, DEFAULT_TEXT_OPTIONS, splitUdh } from '../../text/index.js';
import type { AssembledMo, MoBatchJob, MoJob, MoQueueJob } from '../jobs.js';
import { archiveFeedCopy } from './archive.js';
import { executePlan } from './execute.js';
import { isReceipt } from './intake.js';
import type { MoBatcher } from './batch.js';
import type { OutboxRelay } from '../outbox/relay.js';
import { backoffDelay, firstWaitMs, MO_JOB_OPTIONS, MO_QUEUE, WORKER_RECOVERY_OPTIONS } from '../queues.js';
import type { RouteCache } from '../route-cache.js';
import type { PartsStore } from './parts-store.js';
import { createUssdSessions, type UssdSessions } from './ussd-sessions.js';
import { actOnUssd } from './ussd.js';
import { isDeliveryReceipt, processReceiptJob } from './receipts.js';

export interface MoWorkerDeps {
  db: Db;
  cache: RouteCache;
  relay: OutboxRelay;
  batcher: MoBatcher;
  parts: PartsStore;
  log: Logger;
  tagMsisdn(msisdn: string): string;
  action: Omit<ActionDeps, 'render'>;
  /** USSD menu sessions; createMoWorker keeps them on the worker's Redis connection when not given. */
  ussd?: UssdSessions;
  /**
   * Runs a subscriber's USSD steps on a link one after another, in the order their jobs started (createMoWorker
   * makes one per worker): a hang-up and the step after it, or two quick steps, never race on the session's state.
   */
  ussdInOrder?: InOrder;
  /** Test hooks for simulated crashes: inside the transaction after the action, and right after commit. */
  faults?: { inTransaction?(idemKey: string): void; afterCommit?(idemKey: string): void };
  onRouted?(outcome: { action: string; binary: boolean }): void;
  /** A data_coding we do not know (decoded as GSM-7, 3GPP TS 23.038 reserved groups). */
  onUnknownDcs?(dcs: number): void;
  /** A job's first run starts: how long it waited in the `mo` queue (queues.ts firstWaitMs). */
  onWait?(ms: number): void;
  /** A delivery receipt's disposition (receipts.ts). */
  onReceipt?(state: string): void;
  /** An MO from a number on the block list: recorded, not acted on, nothing sent (counted once, not per retry). */
  onBlocked?(mo: { link: string }): void;
  /** Queues app forwards after commit (pipeline/apps/). */
  forwards?: { enqueue(id: string): Promise<void> };
  /**
   * MO worked on at once, across jobs (an `mo-batch` job holds many): without it, every MO of every batch job the
   * worker holds runs at once.
   */
  slots?: LimitFunction;
  /** Where an MO that failed inside a batch job is queued again, as a job of its own; without it the batch is retried whole. */
  requeue?: Pick<Queue<MoQueueJob>, 'addBulk'>;
}

export function createMoWorker(connection: Redis | Cluster, prefix: string, concurrency: number, deps: MoWorkerDeps): Worker<MoQueueJob> {
  const full: MoWorkerDeps = {
    ...deps,
    ussd: deps.ussd ?? createUssdSessions({ redis: connection, prefix }),
    ussdInOrder: deps.ussdInOrder ?? inOrderPerKey(),
  };
  // Hold about `concurrency` MO, not that many jobs of up to 64 MO each: an MO held in an active job waits out the
  // job's lock after a crash (about 8 s, queues.ts), where one still in the queue is taken at once by the next node.
  // So past `concurrency` MO held, the worker fetches no more jobs until some finish.
  let held = 0;
  let active = 0;
  const fetchFor = () => { worker.concurrency = held >= concurrency ? Math.max(1, active) : concurrency; };
  const worker: Worker<MoQueueJob> = new Worker<MoQueueJob>(MO_QUEUE, (job) => {
    const size = job.data.kind === 'mo-batch' ? job.data.mos.length : 1;
    held += size;
    active++;
    fetchFor();
    const waited = deps.onWait ? firstWaitMs(job) : undefined;
    // The queue wait is recorded per MO, a batch's for each of its MO.
    if (waited !== undefined) for (let i = size; i > 0; i--) deps.onWait?.(waited);
    // BullMQ stores a failure's message and stack in Redis: never a failed query's parameters (issue 10).
    return processMoJob(job, full).catch((e: unknown) => { throw withoutQueryParams(e); }).finally(() => {
      held -= size;
      active--;
      fetchFor();
    });
  }, {
    connection,
    prefix,
    concurrency,
    settings: { backoffStrategy: backoffDelay },
    ...WORKER_RECOVERY_OPTIONS,
  });
  return worker;
}

export async function processMoJob(job: Job<MoQueueJob>, deps: MoWorkerDeps): Promise<void> {
  const data = job.data;
  if (data.kind === 'mo-batch') {
    await processBatch(data, job.attemptsMade, deps);
    return;
  }
  await inSlot(deps, () => data.kind === 'concat-timeout' ? expireParts(data, deps) : processMo(job.id ?? data.corr, data, job.attemptsMade, deps));
}

/** Runs one MO's work within the node's MO slots (MoWorkerDeps.slots), if there are any. */
function inSlot(deps: MoWorkerDeps, run: () => Promise<void>): Promise<void> {
  return deps.slots ? deps.slots(run) : run();
}

async function expireParts(data: Extract<MoQueueJob, { kind: 'concat-timeout' }>, deps: MoWorkerDeps): Promise<void> {
  const assembled = await deps.parts.expire(data, deps.cache.current());
  if (assembled) await routeAndAct(assembled, deps);
}

/**
 * Each MO of the batch as if it were a job of its own (its `id` the idempotency key), all at once within the slots,
 * so they share group commits. One that fails is queued again on its own (jobId its identity, BullMQ's backoff from
 * there): the others are done, and a retry of the whole batch would only find their keys taken. If that add fails
 * too, the batch job fails and is retried whole, and processed_mo keeps the others to one action each.
 */
async function processBatch(data: MoBatchJob, attemptsMade: number, deps: MoWorkerDeps): Promise<void> {
  const failed: Array<{ mo: MoBatchJob['mos'][number]; err: unknown }> = [];
  await Promise.all(data.mos.map(async (mo) => {
    try {
      await inSlot(deps, () => processMo(mo.id, mo, attemptsMade, deps));
    } catch (err) {
      failed.push({ mo, err });
    }
  }));
  if (failed.length === 0) return;
  if (!deps.requeue) throw failed[0]!.err;
  await deps.requeue.addBulk(failed.map(({ mo: { id, ...mo } }) => ({ name: 'mo', data: mo, opts: { ...MO_JOB_OPTIONS, jobId: id, delay: backoffDelay(attemptsMade + 1) } })));
  for (const { mo, err } of failed) deps.log.warn({ err: withoutQueryParams(err), corr: mo.corr, link: mo.link }, 'mo failed in its batch; queued again on its own');
}

/** Calls `run` for a key after every earlier call's `run` for that key has settled; other keys do not wait. */
export type InOrder = (key: string, run: () => Promise<void>) => Promise<void>;

export function inOrderPerKey(): InOrder {
  const tails = new Map<string, Promise<void>>();
  return (key, run) => {
    const prev = tails.get(key);
    const result = prev ? prev.then(run) : run();
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => { if (tails.get(key) === tail) tails.delete(key); });
    return result;
  };
}

function processMo(id: string, data: MoJob, attemptsMade: number, deps: MoWorkerDeps): Promise<void> {
  // Taken before any await, so a subscriber's USSD steps keep the order in which their jobs reached the worker.
  if (data.ussdServiceOp !== undefined && deps.ussdInOrder) {
    return deps.ussdInOrder(`${data.link}\0${data.source}`, () => processOneMo(id, data, attemptsMade, deps));
  }
  return processOneMo(id, data, attemptsMade, deps);
}

async function processOneMo(id: string, data: MoJob, attemptsMade: number, deps: MoWorkerDeps): Promise<void> {
  if (isDeliveryReceipt(data.esmClass)) {
    // Never routed as MO: matched to the sent reply (receipts.ts; an early one is retried).
    await processReceiptJob({ data, attemptsMade }, { db: deps.db, log: deps.log, now: deps.action.now, ...(deps.onReceipt ? { onReceipt: deps.onReceipt } : {}) });
    return;
  }
  if (isReceipt(data.esmClass)) {
    // SME acks and intermediate notifications (S34 §5.2.12): acked, never routed as MO.
    deps.log.debug({ corr: data.corr, link: data.link, esmClass: data.esmClass }, 'receipt-type message ignored');
    return;
  }
  const assembled = await assemble(id, data, deps);
  if (assembled) await routeAndAct(assembled, deps);
}

async function assemble(jobId: string, job: MoJob, deps: MoWorkerDeps): Promise<AssembledMo | null> {
  const link = deps.cache.current().links.get(job.link);
  const textOpts = link ? { dc0: link.dc0, gsm7Packed: link.gsm7Packed } : DEFAULT_TEXT_OPTIONS;
  const sm = Buffer.from(job.sm, 'base64');
  // SMPP 3.4 §5.3.2.32: message_payload carries the whole message when short_message is empty.
  const raw = job.payload && sm.length === 0 ? Buffer.from(job.payload, 'base64') : sm;
  const { udh, body } = splitUdh(raw, (job.esmClass & 0x40) !== 0);
  const channel = job.ussdServiceOp !== undefined ? 'ussd' : 'sms';
  const ussd = job.ussdServiceOp === undefined ? {} : {
    ussd: {
      op: job.ussdServiceOp, ...(job.itsSessionInfo === undefined ? {} : { session: job.itsSessionInfo }),
      ...(job.ussdSession === undefined ? {} : { dialogue: { id: job.ussdSession, end: job.ussdEnd === true } }),
    },
  };
  const part = await deps.parts.add(job, udh, body, textOpts);
  if (part === 'held') return null;
  if (part) return { ...part, channel, ...ussd };
  const decoded = decodeUserData([{ body, udhLength: udh?.length ?? 0 }], job.dataCoding, textOpts);
  return { idemKey: jobId, corr: job.corr, link: job.link, source: job.source, destination: job.destination.trim(), decoded, dcs: job.dataCoding, channel, receivedAt: job.receivedAt, ...ussd };
}

export async function routeAndAct(mo: AssembledMo, deps: MoWorkerDeps): Promise<void> {
  const view = deps.cache.current();
  // The per-message child (with its keyed msisdn hash) is made only when something is logged.
  let child: Logger | undefined;
  const log = () => (child ??= deps.log.child({ corr: mo.corr, link: mo.link, msisdn: deps.tagMsisdn(mo.source) }));
  const linkRow = view.links.get(mo.link);
  if (linkRow?.archiveFeed) {
    // An archive-feed link carries copies of subscribers' other traffic: stored, never routed or answered.
    await archiveFeedCopy(deps.db, mo, deps.action.now());
    if (mo.partsKey) await deps.parts.markRouted(mo.partsKey);
    return;
  }
  if (view.blocklist.match(mo.source) !== null) {
    await recordBlocked(mo, deps);
    if (deps.log.isLevelEnabled('debug')) log().debug('MO from a blocked number: recorded, not acted on');
    return;
  }
  const exec = { ...deps, action: { ...deps.action, render: view.render } };
  if (mo.ussd && deps.ussd) {
    await actOnUssd(mo, mo.ussd, { ...deps, ussd: deps.ussd, exec }, log()); // a menu session, not a keyword route
    return;
  }
  const text = mo.decoded.kind === 'text' ? mo.decoded.text : '';
  if (!mo.decoded.dcs.known) {
    log().warn({ dcs: mo.dcs, alphabet: mo.decoded.dcs.alphabet }, 'MO with an unknown data_coding; decoded as GSM 03.38');
    deps.onUnknownDcs?.(mo.dcs);
  }
  // Binary MO is not text: never routed, answered with the short code's help (#4); so is a short code without routes.
  const m = mo.decoded.kind === 'binary' ? { route: null, args: '' } : matchRoute(view.table, mo.destination, text);
  const plan = planAction({ msisdn: mo.source, shortCode: mo.destination, text, args: m.args, link: mo.link, channel: mo.channel, corr: mo.corr, allowBinary: linkRow?.allowBinary === true, id: mo.idemKey, ...(mo.receivedAt === undefined ? {} : { receivedAt: mo.receivedAt }) }, m.route);
  if (plan.note && mo.decoded.kind !== 'binary') log().warn({ route: plan.route?.id, shortCode: mo.destination }, plan.note);
  const acted = await executePlan({
    idemKey: mo.idemKey, ...(mo.partsKey ? { partsKey: mo.partsKey } : {}), ...(mo.receivedAt === undefined ? {} : { receivedAt: mo.receivedAt }), corr: mo.corr, link: mo.link, source: mo.source, destination: mo.destination,
    channel: mo.channel, locale: plan.msg.locale, plan, archive: { ...mo, binary: mo.decoded.kind === 'binary' },
  }, exec);
  if (deps.log.isLevelEnabled('debug')) log().debug({ action: plan.action.name, acted }, acted ? 'MO acted on' : 'MO already acted on; replies relayed again if needed');
}

/**
 * A blocked source (issue 11): the MO was acked already (intake) and is recorded under its idempotency key, so no
 * retry acts on it either; no action, no archive, no reply (not even one an earlier run of the job had written).
 */
async function recordBlocked(mo: AssembledMo, deps: MoWorkerDeps): Promise<void> {
  const rows = await deps.batcher.submit({
    idemKey: mo.idemKey,
    record: { link: mo.link, source: mo.source, destination: mo.destination, corr: mo.corr, channel: mo.channel, state: 'blocked', action: null },
    act: async () => [],
  });
  // Durable from here: the MO is recorded as processed (blocked).
  if (mo.partsKey) await deps.parts.markRouted(mo.partsKey);
  if (rows !== null) deps.onBlocked?.({ link: mo.link });
}
