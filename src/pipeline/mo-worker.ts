/**
 * The `mo` worker: decode with the link's settings, reassemble, route, and run the action in a Postgres
 * transaction keyed by the MO's idempotency key (shared with other MO by group commit, mo-batch.ts); the
 * same transaction writes the operations log and the replies (outbox). BullMQ delivers at least once; the
 * processed_mo row makes the action happen once.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ACTIONS, type ActionDeps, type Locale } from '../actions/index.js';
import type { Db } from '../db/client.js';
import { withoutQueryParams, type Logger } from '../log.js';
import { matchRoute, type RouteDef } from '../routing/index.js';
import { decodeUserData, DEFAULT_TEXT_OPTIONS, splitUdh } from '../text/index.js';
import type { AssembledMo, MoJob, MoQueueJob } from './jobs.js';
import { archiveFeedCopy, archiveMo, archiveText } from './archive.js';
import { isReceipt } from './intake.js';
import type { MoBatcher } from './mo-batch.js';
import type { OutboxRelay } from './outbox-relay.js';
import { backoffDelay, MO_QUEUE } from './queues.js';
import type { RouteCache } from './route-cache.js';
import type { PartsStore } from './parts-store.js';
import { createUssdSessions, type UssdSessions } from './ussd-sessions.js';
import { actOnUssd } from './ussd-worker.js';
import { isDeliveryReceipt, processReceiptJob } from './receipt-worker.js';

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
  /** Test hooks for simulated crashes: inside the transaction after the action, and right after commit. */
  faults?: { inTransaction?(idemKey: string): void; afterCommit?(idemKey: string): void };
  onRouted?(outcome: { action: string; binary: boolean }): void;
  /** A data_coding we do not know (decoded as GSM-7, 3GPP TS 23.038 reserved groups). */
  onUnknownDcs?(dcs: number): void;
}


const CYRILLIC = /[\u0400-\u04FF]/;
const BINARY_HELP: RouteDef = { id: '(binary)', shortCode: '', kind: 'any', keywords: [], priority: 0, action: 'help', params: {} };

export function createMoWorker(connection: Redis, prefix: string, concurrency: number, deps: MoWorkerDeps): Worker<MoQueueJob> {
  const full: MoWorkerDeps = deps.ussd ? deps : { ...deps, ussd: createUssdSessions({ redis: connection, prefix }) };
  // BullMQ stores a failure's message and stack in Redis: never a failed query's parameters (issue 10).
  return new Worker<MoQueueJob>(MO_QUEUE, (job) => processMoJob(job, full).catch((e: unknown) => { throw withoutQueryParams(e); }), {
    connection,
    prefix,
    concurrency,
    settings: { backoffStrategy: backoffDelay },
  });
}

export async function processMoJob(job: Job<MoQueueJob>, deps: MoWorkerDeps): Promise<void> {
  const data = job.data;
  if (data.kind === 'concat-timeout') {
    const assembled = await deps.parts.expire(data, deps.cache.current());
    if (assembled) await routeAndAct(assembled, deps);
    return;
  }
  if (isDeliveryReceipt(data.esmClass)) {
    // Never routed as MO: matched to the sent reply (receipt-worker.ts; an early one is retried).
    await processReceiptJob(job as Job<MoJob>, { db: deps.db, log: deps.log, now: deps.action.now });
    return;
  }
  if (isReceipt(data.esmClass)) {
    // SME acks and intermediate notifications (S34 §5.2.12): acked, never routed as MO.
    deps.log.debug({ corr: data.corr, link: data.link, esmClass: data.esmClass }, 'receipt-type message ignored');
    return;
  }
  const assembled = await assemble(job.id ?? data.corr, data, deps);
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
  const ussd = job.ussdServiceOp === undefined ? {} : { ussd: { op: job.ussdServiceOp, ...(job.itsSessionInfo === undefined ? {} : { session: job.itsSessionInfo }) } };
  const part = await deps.parts.add(job, udh, body, textOpts);
  if (part === 'held') return null;
  if (part) return { ...part, channel, ...ussd };
  const decoded = decodeUserData([{ body, udhLength: udh?.length ?? 0 }], job.dataCoding, textOpts);
  return { idemKey: jobId, corr: job.corr, link: job.link, source: job.source, destination: job.destination.trim(), decoded, dcs: job.dataCoding, channel, ...ussd };
}

export async function routeAndAct(mo: AssembledMo, deps: MoWorkerDeps): Promise<void> {
  const view = deps.cache.current();
  // The per-message child (with its keyed msisdn hash) is made only when something is logged.
  let child: Logger | undefined;
  const log = () => (child ??= deps.log.child({ corr: mo.corr, link: mo.link, msisdn: deps.tagMsisdn(mo.source) }));
  if (view.links.get(mo.link)?.archiveFeed) {
    // An archive-feed link carries copies of subscribers' other traffic: stored, never routed or answered.
    await archiveFeedCopy(deps.db, mo, deps.action.now());
    if (mo.partsKey) await deps.parts.markRouted(mo.partsKey);
    return;
  }
  if (mo.ussd && deps.ussd) {
    await actOnUssd(mo, mo.ussd, { ...deps, ussd: deps.ussd }, log()); // a menu session, not a keyword route
    return;
  }
  const text = mo.decoded.kind === 'text' ? mo.decoded.text : '';
  if (!mo.decoded.dcs.known) {
    log().warn({ dcs: mo.dcs, alphabet: mo.decoded.dcs.alphabet }, 'MO with an unknown data_coding; decoded as GSM 03.38');
    deps.onUnknownDcs?.(mo.dcs);
  }
  let route: RouteDef | null;
  let args = '';
  if (mo.decoded.kind === 'binary') {
    route = BINARY_HELP; // binary MO is not text: answered with the short code's help, never routed (#4)
  } else {
    const m = matchRoute(view.table, mo.destination, text);
    route = m.route;
    args = m.args;
  }
  if (!route) {
    log().warn({ shortCode: mo.destination }, 'MO for a short code with no route; dropped after intake accepted it');
    return;
  }
  const action = ACTIONS.get(route.action);
  const params = action?.params.safeParse(route.params);
  if (!action || !params?.success) {
    log().error({ route: route.id, action: route.action }, 'route names an unknown action or invalid params; MO answered with help');
  }
  const run = action && params?.success ? { action, params: params.data } : { action: ACTIONS.get('help')!, params: {} };
  const locale: Locale = CYRILLIC.test(text) ? 'ru' : 'en';
  const msg = { msisdn: mo.source, shortCode: mo.destination, text, args, link: mo.link, channel: mo.channel, corr: mo.corr, locale, allowBinary: view.links.get(mo.link)?.allowBinary === true } as const;
  const baseDeps: ActionDeps = { ...deps.action, render: view.render };
  // Slow, lock-free work first (a password hash): the transaction that follows stays short.
  const actionDeps: ActionDeps = run.action.prepare
    ? { ...baseDeps, prepared: await run.action.prepare(deps.db, msg, run.params, baseDeps) }
    : baseDeps;

  const rows = await deps.batcher.submit({
    idemKey: mo.idemKey,
    slow: run.action.slow === true,
    act: async (tx) => {
      const replies = await run.action.run(tx, msg, run.params, actionDeps);
      await archiveMo(tx, mo, deps.action.now()); // after the action: `ON` itself is kept
      deps.faults?.inTransaction?.(mo.idemKey);
      return replies.map((r) => ({
        idemKey: mo.idemKey, link: mo.link, source: mo.destination, destination: mo.source, body: r.text, template: r.template, corr: mo.corr,
        archiveText: archiveText(view.render, r, msg.locale),
        ...(r.binary ? { payload: r.binary.payload } : {}),
      }));
    },
  });
  // Durable from here: action, operations log and replies committed together.
  deps.faults?.afterCommit?.(mo.idemKey);
  if (rows === null) {
    log().debug({ idem: mo.idemKey }, 'MO already acted on; re-relaying its replies if needed');
    await deps.relay.relayByIdemKey(mo.idemKey);
    if (mo.partsKey) await deps.parts.markRouted(mo.partsKey);
    return;
  }
  if (deps.log.isLevelEnabled('debug')) log().debug({ action: run.action.name, replies: rows.length }, 'MO acted on');
  deps.onRouted?.({ action: run.action.name, binary: mo.decoded.kind === 'binary' });
  await deps.relay.relay(rows);
  if (mo.partsKey) await deps.parts.markRouted(mo.partsKey);
}
