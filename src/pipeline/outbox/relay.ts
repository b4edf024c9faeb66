/**
 * Outbox → `mt-<link>`. The mo worker relays its own rows right after commit (the fast path); a sweep
 * relays whatever a crash left behind. Adding uses jobId `ob-<id>`, so relaying twice queues once while
 * the job is kept, and the mt worker skips rows already sent: no reply lost, none sent twice.
 */
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Cluster, Redis } from 'ioredis';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema/index.js';
import type { Logger } from '../../log.js';
import type { OutboxMarks } from './marks.js';
import type { MtJob } from '../jobs.js';
import { MT_JOB_OPTIONS, mtInflightKey, mtSentKey, type Queues } from '../queues.js';

/** Rows per sweep query; a larger backlog takes several pages in one sweep. */
const SWEEP_BATCH = 1000;
/** A reply marked relayed but still pending after this long is looked at again (sweepStale). */
const STALE_AFTER_MS = 60_000;
/** The stale look runs on every this-many-th sweep tick (and on start). */
const STALE_EVERY_TICKS = 15;

export interface RelayRow {
  id: number; link: string; corr: string; source: string; destination: string; body: string | null; template: string;
  tlvs?: { ussdServiceOp?: number; itsSessionInfo?: number; ussdSession?: number; plainBinary?: boolean } | null;
  payload?: string | null;
  /** Not a column: the MO's arrival, carried into the mt job on the fast path (MtJob.moAt). */
  moAt?: number;
}

/** The outbox columns a relay needs: select them, or return them from the insert. */
export const RELAY_COLUMNS = {
  id: outbox.id, link: outbox.link, corr: outbox.corr, source: outbox.source, destination: outbox.destination, body: outbox.body, template: outbox.template,
  tlvs: outbox.tlvs, payload: outbox.payload,
};

/**
 * The fast path for fresh replies (mt/worker.ts): a node holding a sender of the link sends them at once, with
 * no mt job, so a reply costs no queue round trips and waits behind no worker's fetch. The committed outbox row
 * is what makes it durable: a node that dies before the send leaves it unrelayed, and the sweep queues it once
 * its in-flight marker has expired (the marker keeps the sweeps off a reply being sent now).
 */
export interface DirectSender {
  /** How many of `ids` (the first ones) this node sends now, each marked in flight; 0: queue them all. */
  claim(link: string, ids: readonly number[]): Promise<number>;
  /** Sends a claimed reply. true: settled (sent, refused or unsendable, and marked); false: not sent, to be queued. */
  send(link: string, job: MtJob): Promise<boolean>;
}

/**
 * A page of the sweep's rows: pending, never relayed, created before `before` (and after `after`), oldest first. The
 * condition is its partial index's predicate (outbox_unrelayed) in literals: with the status a parameter
 * (`status = $1`) a generic plan cannot prove it, and reads the whole outbox instead (tested).
 */
export function unrelayedPage(db: Db, before: Date, after?: Date) {
  return db.select({ ...RELAY_COLUMNS, createdAt: outbox.createdAt }).from(outbox)
    .where(and(sql`${outbox.relayedAt} is null and ${outbox.status} = 'pending'`, lt(outbox.createdAt, before), after ? gt(outbox.createdAt, after) : undefined))
    .orderBy(outbox.createdAt)
    .limit(SWEEP_BATCH);
}

/**
 * A page of the stale sweep's rows: pending, relayed before `before`, oldest relay first. Its partial index
 * (outbox_relayed_pending) holds only replies queued and not yet settled, a handful; the predicate is in literals for
 * the same reason as unrelayedPage's. Without it the stale sweep read the whole outbox every 15 s.
 */
export function relayedPendingPage(db: Db, before: Date) {
  return db.select(RELAY_COLUMNS).from(outbox)
    .where(and(sql`${outbox.relayedAt} is not null and ${outbox.status} = 'pending'`, lt(outbox.relayedAt, before)))
    .orderBy(outbox.relayedAt)
    .limit(SWEEP_BATCH);
}

export interface OutboxRelay {
  relay(rows: readonly RelayRow[]): Promise<void>;
  relayByIdemKey(idemKey: string): Promise<void>;
  /** Relays rows left unrelayed for longer than `olderThanMs`; returns how many. */
  sweep(olderThanMs?: number): Promise<number>;
  /** Settles pending rows relayed longer than `staleMs` ago whose job is gone; returns how many it looked at. */
  sweepStale(staleMs?: number): Promise<number>;
  close(): void;
}

export function createOutboxRelay(deps: {
  db: Db; queues: Queues; redis: Redis | Cluster; prefix: string; marks: OutboxMarks; log: Logger; sweepEveryMs?: number; sweepAfterMs?: number; now?: () => Date;
  /** This node's reply senders (listener role): fresh replies of their links skip the queue. */
  direct?: DirectSender;
  /** A reply sent directly, or queued after its direct send fell through. */
  onDirect?(outcome: 'sent' | 'queued'): void;
}): OutboxRelay {
  const now = deps.now ?? (() => new Date());
  async function relay(rows: readonly RelayRow[], again = false) {
    if (rows.length === 0) return;
    const byLink = new Map<string, RelayRow[]>();
    for (const r of rows) byLink.set(r.link, [...(byLink.get(r.link) ?? []), r]);
    for (const [link, rs] of byLink) await addToLink(link, rs, again);
  }
  const mtJob = (r: RelayRow, again: boolean): MtJob => ({
    outboxId: r.id, corr: r.corr, source: r.source, destination: r.destination, body: r.body ?? '', template: r.template, ...(r.tlvs ? { tlvs: r.tlvs } : {}), ...(r.payload ? { payload: r.payload } : {}), ...(again ? { again } : {}), ...(r.moAt !== undefined ? { moAt: r.moAt } : {}),
  });
  async function addToLink(link: string, rs: readonly RelayRow[], again: boolean) {
    const jobs = rs.map((r) => ({ name: 'reply', data: mtJob(r, again), opts: { ...MT_JOB_OPTIONS, jobId: `ob-${r.id}` } }));
    // One reply is one add; more are one addBulk (one pipelined round trip).
    if (jobs.length === 1) await deps.queues.mt(link).add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
    else await deps.queues.mt(link).addBulk(jobs);
    // Durable from here: queued in Redis; the (batched) mark only spares the sweep the work.
    deps.marks.relayed(rs.map((r) => r.id));
  }
  /**
   * The fast path: the rows the MO of one tick relay (the MO of one group commit resolve together) go to each
   * link as ONE addBulk. Each caller resolves once its rows are queued; a failed bulk rejects every caller in it
   * (their mo jobs fail and retry through relayByIdemKey; the sweep is the backstop).
   */
  let pending: { rows: readonly RelayRow[]; resolve(): void; reject(e: unknown): void }[] = [];
  function drain() {
    const items = pending;
    pending = [];
    const byLink = new Map<string, { rows: RelayRow[]; items: Set<(typeof items)[number]> }>();
    for (const it of items) {
      for (const r of it.rows) {
        let g = byLink.get(r.link);
        if (!g) byLink.set(r.link, g = { rows: [], items: new Set() });
        g.rows.push(r);
        g.items.add(it);
      }
    }
    const failed = new Map<(typeof items)[number], unknown>();
    void Promise.all([...byLink].map(async ([link, g]) => {
      try { await toLink(link, g.rows); } catch (e) { for (const it of g.items) failed.set(it, e); }
    })).then(() => {
      for (const it of items) {
        if (failed.has(it)) it.reject(failed.get(it));
        else it.resolve();
      }
    });
  }
  /** Fresh rows: as many as the link's rate allows sent from here (DirectSender), the others queued. */
  async function toLink(link: string, rows: RelayRow[]) {
    let taken = 0;
    if (deps.direct) {
      try { taken = await deps.direct.claim(link, rows.map((r) => r.id)); } catch (e) {
        deps.log.debug({ err: e, link }, 'direct send claim failed; queueing the replies');
      }
    }
    // The claimed rows are durable already (committed, and marked in flight: the sweep's backstop); they go out
    // whatever becomes of the others' add, so every claim is followed by its send.
    for (const r of rows.slice(0, taken)) void sendDirect(link, r);
    if (taken < rows.length) await addToLink(link, rows.slice(taken), false);
  }
  async function sendDirect(link: string, r: RelayRow) {
    if (await deps.direct!.send(link, mtJob(r, false))) { deps.onDirect?.('sent'); return; }
    deps.onDirect?.('queued');
    try {
      // `again`: a part the direct send got through is in the parts hash; the job sends only the others.
      await addToLink(link, [r], true);
    } catch (e) {
      deps.log.warn({ err: e, link, corr: r.corr }, 'could not queue a reply whose direct send fell through; the sweep relays it');
    }
  }
  function relayBatched(rows: readonly RelayRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(drain);
      pending.push({ rows, resolve, reject });
    });
  }
  /**
   * Relaying again (a retried MO, the sweep): a reply whose job already completed and was removed must
   * not be queued anew, or it would go out twice. Its sent-marker says so; the outbox row is then only
   * marked (the batched mark was lost or is still pending).
   */
  async function relayAgain(rows: readonly RelayRow[]) {
    if (rows.length === 0) return;
    // Each row's sent-marker, then its in-flight marker (a direct send going on: left to it).
    const keys = await deps.redis.mget(...rows.map((r) => mtSentKey(deps.prefix, r.id)), ...rows.map((r) => mtInflightKey(deps.prefix, r.id)));
    const unsent = rows.filter((_, i) => keys[i] === null && keys[rows.length + i] === null);
    for (const r of rows.filter((_, i) => keys[i] !== null)) deps.marks.sent({ id: r.id, status: 'sent', segments: 0, messageIds: [] });
    await relay(unsent, true);
  }
  // Default 5 s (OUTBOX_SWEEP_AFTER_S): well past the batched relayed-mark (20 ms, longer only when the
  // database is saturated), so the sweep mostly finds rows whose relay really was lost (a crash between
  // commit and relay). Relaying a row that was not lost costs a look-up, never a second send (relayAgain).
  async function sweep(olderThanMs = deps.sweepAfterMs ?? 5_000) {
    let total = 0;
    let after: Date | undefined;
    for (;;) {
      // Pages by created_at (the partial index on unrelayed rows); a row sharing the last page's timestamp
      // waits for the next sweep. Not by "still unrelayed": the marks of a page land later (batched).
      const rows = await unrelayedPage(deps.db, new Date(now().getTime() - olderThanMs), after);
      if (rows.length) {
        deps.log.warn({ rows: rows.length, afterMs: olderThanMs }, 'relaying outbox rows not marked relayed in time (lost in a crash, or the marks are late)');
        await relayAgain(rows);
      }
      total += rows.length;
      if (rows.length < SWEEP_BATCH) return total;
      after = rows[rows.length - 1]!.createdAt;
    }
  }
  /**
   * Replies marked relayed and still pending long after. Either the 'sent' mark was lost (a kill -9 between the
   * send and the batched mark: the sent-marker says so, the row is marked), or the mt job itself was lost (Redis
   * killed within AOF's fsync second after the add): no marker and no job `ob-<id>`, so it is relayed again. A
   * job still waiting (its link has no session) or kept as failed is left alone.
   */
  async function sweepStale(staleMs = STALE_AFTER_MS) {
    const rows = await relayedPendingPage(deps.db, new Date(now().getTime() - staleMs));
    if (rows.length === 0) return 0;
    const sent = await deps.redis.mget(...rows.map((r) => mtSentKey(deps.prefix, r.id)));
    const lost: RelayRow[] = [];
    for (const [i, r] of rows.entries()) {
      if (sent[i] !== null) deps.marks.sent({ id: r.id, status: 'sent', segments: 0, messageIds: [] });
      else if (!(await deps.queues.mt(r.link).getJob(`ob-${r.id}`))) lost.push(r);
    }
    if (lost.length) {
      deps.log.warn({ rows: lost.length }, 'relaying again outbox rows whose mt job is gone unsent (lost with Redis)');
      await relay(lost, true);
    }
    return rows.length;
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  if (deps.sweepEveryMs) {
    let ticks = 0;
    const tick = async (olderThanMs?: number, staleMs?: number) => {
      try {
        await sweep(olderThanMs);
        if (ticks++ % STALE_EVERY_TICKS === 0) await sweepStale(staleMs);
      } catch (e) { deps.log.warn({ err: e }, 'outbox sweep failed; will retry'); }
      if (!stopped) timer = setTimeout(() => void tick(), deps.sweepEveryMs);
    };
    // On start, every unrelayed row at once, whatever its age: rows a killed process committed but never
    // relayed go out now, not after the sweep delay. Rows another node is relaying right now are safe to
    // relay again (jobId and sent-marker, relayAgain). Likewise every relayed row still pending: a process
    // killed after a send and its marker but before the batched 'sent' mark left its row pending, and the
    // marker settles it now rather than a minute later; a row whose job still exists is left alone.
    timer = setTimeout(() => void tick(0, 0), 0);
  }
  return {
    relay: relayBatched,
    async relayByIdemKey(idemKey) {
      const rows = await deps.db.select(RELAY_COLUMNS).from(outbox)
        .where(and(eq(outbox.idemKey, idemKey), eq(outbox.status, 'pending')));
      await relayAgain(rows);
    },
    sweep,
    sweepStale,
    close() { stopped = true; if (timer) clearTimeout(timer); },
  };
}
