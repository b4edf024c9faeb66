/**
 * Send API callbacks (issue 11 item 3): the `callbacks` queue and its worker, and the poll that feeds it.
 *
 * The callbacks due live in Postgres (api_callbacks, one row per message and state, inserted by the outbox trigger
 * in the transaction that changed the state). Nothing else enqueues them: the poll (CALLBACK_POLL_MS) adds a job
 * `cb-<row id>` for each row not yet enqueued, so a crash between that commit and any enqueue loses nothing, and
 * rows whose job was lost with Redis are enqueued again after STALE_MS. The worker POSTs the signed JSON, stamps
 * done_at on a 2xx, and retries anything else with exponential backoff up to CALLBACK_ATTEMPTS, then gives up
 * (gave_up_at). A message's callbacks go out in state order: a later one waits while an earlier one is open.
 *
 * Delivery is at least once: a crash after the receiver's 2xx and before done_at commits sends that callback again
 * (receivers dedupe on X-Scgw-Event-Id). In normal running each state is POSTed until one 2xx, then never again.
 */
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Db } from '../../db/client.js';
import {
  callbackToSend, earlierCallbackOpen, markCallbackDone, markCallbackGaveUp, markCallbacksEnqueued, openCallbacks, recordCallbackAttempt,
} from '../../db/queries/api-messages.js';
import type { Logger } from '../../log.js';
import { WORKER_RECOVERY_OPTIONS } from '../queues.js';
import { checkCallbackHost } from './address.js';
import { signCallback } from './sign.js';

export const CALLBACK_QUEUE = 'callbacks';
/** An enqueued row still open after this long is looked at again: its job may have been lost with Redis. */
const STALE_MS = 30_000;
const POLL_BATCH = 500;
/** A later state's callback waits at least this long at a time for the earlier one (at most ORDER_DELAY_MAX_MS). */
const ORDER_DELAY_MS = 200;
const ORDER_DELAY_MAX_MS = 5000;

export interface CallbackSettings { attempts: number; timeoutMs: number; backoffMs: number; pollMs: number; concurrency: number; allowPrivate: boolean }

interface CallbackJob { callbackId: number }

/** The JSON body of a callback. */
export interface CallbackBody {
  id: string; reference: string | null; state: string; at: string; from: string; to: string; parts: number | null; link: string;
}

export interface Callbacks {
  /** One poll now (tests; the timer runs it every CALLBACK_POLL_MS). */
  poll(): Promise<number>;
  close(): Promise<void>;
}

export function createCallbacks(deps: {
  db: Db; producer: Redis | Cluster; connection: Redis | Cluster; prefix: string; log: Logger; settings: CallbackSettings;
  /** Run the worker and the poll here (nodes with the workers role). */
  work: boolean;
  now?: () => Date;
  onSent?(outcome: 'ok' | 'error' | 'gave-up'): void;
}): Callbacks {
  const now = deps.now ?? (() => new Date());
  const { settings: s, db, log } = deps;
  const queue = new Queue<CallbackJob>(CALLBACK_QUEUE, { connection: deps.producer, prefix: deps.prefix });
  queue.on('error', (e) => log.warn({ err: e }, 'callbacks queue error'));

  async function post(job: Job<CallbackJob>, token: string | undefined): Promise<void> {
    const row = await callbackToSend(db, job.data.callbackId);
    const url = row?.msg.callbackUrl;
    if (!row || !url || row.cb.doneAt || row.cb.gaveUpAt) return;
    const { cb, msg } = row;
    if (await earlierCallbackOpen(db, msg.id, cb.id)) {
      // Waiting on the earlier one's retries: look again at about its backoff's pace, not in a tight loop.
      await job.moveToDelayed(Date.now() + Math.min(ORDER_DELAY_MAX_MS, Math.max(ORDER_DELAY_MS, s.backoffMs)), token);
      throw new DelayedError();
    }
    const clog = log.child({ callback: cb.id, message: msg.id, state: cb.state });
    try {
      if (!row.secret) throw new UnrecoverableError('the token that sent the message is gone (no signing secret)');
      const problem = await checkCallbackHost(url, s.allowPrivate);
      if (problem) throw new UnrecoverableError(`callback_url refused: ${problem}`);
      const body: CallbackBody = {
        id: msg.id, reference: msg.reference, state: cb.state, at: cb.at.toISOString(), from: msg.source, to: msg.destination, parts: msg.parts, link: msg.link,
      };
      const text = JSON.stringify(body);
      const ts = Math.floor(now().getTime() / 1000);
      // redirect 'manual': a 3xx is an answer, not an invitation to POST somewhere the URL check never saw.
      const res = await fetch(url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(s.timeoutMs), body: text,
        headers: {
          'content-type': 'application/json', 'user-agent': 'scgw-callbacks',
          'x-scgw-timestamp': String(ts), 'x-scgw-signature': signCallback(row.secret, ts, text), 'x-scgw-event-id': String(cb.id),
        },
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`the receiver answered HTTP ${res.status}`);
    } catch (e) {
      const err = e as Error;
      const message = err.name === 'TimeoutError' ? `no answer within ${s.timeoutMs} ms (CALLBACK_TIMEOUT_MS)` : err.message;
      await recordCallbackAttempt(db, cb.id, message.slice(0, 500));
      const last = e instanceof UnrecoverableError || job.attemptsMade + 1 >= s.attempts;
      if (last) {
        await markCallbackGaveUp(db, cb.id, now(), message.slice(0, 500));
        deps.onSent?.('gave-up');
        clog.warn({ attempts: job.attemptsMade + 1, error: message }, 'callback given up');
      } else {
        deps.onSent?.('error');
        clog.debug({ attempt: job.attemptsMade + 1, error: message }, 'callback failed; will retry');
      }
      throw e;
    }
    // Done from here: a crash before this commit POSTs it once more (at least once).
    await recordCallbackAttempt(db, cb.id, null);
    await markCallbackDone(db, cb.id, now());
    deps.onSent?.('ok');
    clog.debug('callback delivered');
  }

  async function poll(): Promise<number> {
    const t = now();
    const rows = await openCallbacks(db, new Date(t.getTime() - STALE_MS), POLL_BATCH);
    const add: number[] = [];
    for (const r of rows) {
      if (r.enqueuedAt) {
        const job = await queue.getJob(`cb-${r.id}`);
        if (job) {
          // Its job failed for good but the mark was lost: settle the row.
          if ((await job.getState()) === 'failed') await markCallbackGaveUp(db, r.id, t, job.failedReason || 'failed');
          else await markCallbacksEnqueued(db, [r.id], t); // still waiting (backoff): look again later
          continue;
        }
        log.warn({ callback: r.id }, 'callback job lost (Redis); enqueued again');
      }
      add.push(r.id);
    }
    if (add.length) {
      await queue.addBulk(add.map((id) => ({
        name: 'callback', data: { callbackId: id },
        opts: {
          jobId: `cb-${id}`, attempts: s.attempts, backoff: { type: 'exponential', delay: s.backoffMs },
          removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 86400 },
        },
      })));
      // Durable from here (Redis); the mark only spares the next poll the work.
      await markCallbacksEnqueued(db, add, t);
    }
    return add.length;
  }

  let worker: Worker<CallbackJob> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (deps.work) {
    worker = new Worker<CallbackJob>(CALLBACK_QUEUE, (job, token) => post(job, token), {
      connection: deps.connection, prefix: deps.prefix, concurrency: s.concurrency, ...WORKER_RECOVERY_OPTIONS,
    });
    worker.on('error', (e) => log.warn({ err: e }, 'callbacks worker error'));
    const tick = async () => {
      try { await poll(); } catch (e) { log.warn({ err: e }, 'callbacks poll failed; will retry'); }
      if (!stopped) timer = setTimeout(() => void tick(), s.pollMs);
    };
    timer = setTimeout(() => void tick(), 0);
  }
  return {
    poll,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await worker?.close();
      await queue.close();
    },
  };
}
