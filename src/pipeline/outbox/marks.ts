/**
 * Batches the outbox bookkeeping that follows a durable step (queued in Redis, sent to the peer) into
 * one statement per flush instead of one per reply. Losing a batch in a crash is safe: an unmarked row
 * is re-relayed by the sweep, and the mt worker's sent-marker in Redis stops a second send.
 *
 * A batch that fails (the database restarting, a failover) is kept and tried again with backoff, so the
 * rows are settled seconds after the database is back rather than when the stale sweep next looks (a
 * minute or more). Every statement is idempotent, so a retry after a partial success is harmless. Marks
 * older than `keepMs`, or beyond `maxKept`, are dropped with a warning: the sweeps settle those.
 */
import type { Db } from '../../db/client.js';
import { outboxSettled, writeOutboxMarks, type SentMark } from '../../db/queries/outbox-marks.js';
import type { Logger } from '../../log.js';

export interface OutboxMarks {
  relayed(ids: readonly number[]): void;
  sent(mark: SentMark): void;
  /** The reply was marked sent or failed: by this node and not yet written, or in the database. */
  settled(id: number): Promise<boolean>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Kept { relayed: number[]; sent: SentMark[]; since: number }

export function createOutboxMarks(deps: {
  db: Db; log: Logger; everyMs?: number; maxBatch?: number;
  /** First retry delay of a failed batch; doubles up to `retryMaxMs`. */
  retryMs?: number; retryMaxMs?: number; keepMs?: number; maxKept?: number; now?: () => number;
}): OutboxMarks {
  const everyMs = deps.everyMs ?? 20;
  const maxBatch = deps.maxBatch ?? 500;
  const retryMs = deps.retryMs ?? 250;
  const retryMaxMs = deps.retryMaxMs ?? 2_000;
  const keepMs = deps.keepMs ?? 120_000;
  const maxKept = deps.maxKept ?? 100_000;
  const now = deps.now ?? Date.now;
  let relayed: number[] = [];
  let sent: SentMark[] = [];
  /** Batches taken by a flush and not yet written or kept: settled() must see them too. */
  const writing = new Set<readonly SentMark[]>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  /** Failed batches, oldest first, tried again before new marks. */
  let kept: Kept[] = [];
  let keptRows = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = retryMs;
  let closed = false;

  // One statement: the relayed and sent marks, and the SMS archive of the replies sent (archive.ts).
  const write = (r: readonly number[], s: readonly SentMark[]) => writeOutboxMarks(deps.db, { relayed: r, sent: s, at: new Date() });

  const keep = (batch: Kept) => {
    kept.push(batch);
    keptRows += batch.relayed.length + batch.sent.length;
    const t = now();
    let dropped = 0;
    while (kept.length && (keptRows > maxKept || t - kept[0]!.since > keepMs)) {
      const b = kept.shift()!;
      keptRows -= b.relayed.length + b.sent.length;
      dropped += b.relayed.length + b.sent.length;
    }
    if (dropped) deps.log.warn({ rows: dropped }, 'outbox bookkeeping dropped after retrying; the sweep will settle those rows');
  };

  /** Tries the kept batches, oldest first; stops at the first failure (the database is still away). */
  const retryKept = async (): Promise<boolean> => {
    while (kept.length) {
      const b = kept[0]!;
      try { await write(b.relayed, b.sent); } catch { return false; }
      kept.shift();
      keptRows -= b.relayed.length + b.sent.length;
    }
    return true;
  };

  const scheduleRetry = () => {
    if (retryTimer || closed || !kept.length) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      running = running.then(async () => {
        if (await retryKept()) {
          delay = retryMs;
          deps.log.info('outbox bookkeeping caught up after a failure');
        } else {
          delay = Math.min(delay * 2, retryMaxMs);
          scheduleRetry();
        }
      });
    }, delay);
  };

  /**
   * One write at a time, and it takes every mark gathered until it starts: while a write runs, a flush only waits
   * for the next one. Under load the batches grow instead of queueing up (each small batch costs the same statement,
   * so a queue of them would fall behind for good and leave rows to the sweeps).
   */
  let inflight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    if (timer) { clearTimeout(timer); timer = undefined; }
    if (inflight) return (next ??= inflight.then(() => { next = undefined; return flush(); }));
    const r = relayed, s = sent;
    relayed = [];
    sent = [];
    if (!r.length && !s.length) return running;
    if (s.length) writing.add(s);
    const written = running.then(async () => {
      try {
        if (kept.length) { keep({ relayed: r, sent: s, since: now() }); scheduleRetry(); return; } // keep the order: older first
        await write(r, s);
      } catch (e) {
        deps.log.warn({ err: e, rows: r.length + s.length }, 'outbox bookkeeping failed; will retry');
        keep({ relayed: r, sent: s, since: now() });
        scheduleRetry();
      } finally {
        writing.delete(s);
      }
    });
    inflight = running = written.finally(() => { inflight = undefined; });
    return running;
  };
  const schedule = () => {
    if (relayed.length + sent.length >= maxBatch) void flush();
    else timer ??= setTimeout(() => void flush(), everyMs);
  };
  return {
    relayed(ids) { relayed.push(...ids); schedule(); },
    sent(mark) { sent.push(mark); schedule(); },
    async settled(id) {
      const has = (b: readonly SentMark[]) => b.some((m) => m.id === id);
      if (has(sent) || [...writing].some(has) || kept.some((b) => has(b.sent))) return true;
      return outboxSettled(deps.db, id);
    },
    flush,
    async close() {
      await flush();
      // One last try for what failed before; what still fails is left to the sweeps of the next start.
      closed = true;
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = undefined; }
      await (running = running.then(async () => { await retryKept(); }));
      kept = [];
      keptRows = 0;
    },
  };
}
