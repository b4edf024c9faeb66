/**
 * Batches the outbox bookkeeping that follows a durable step (queued in Redis, sent to the peer) into
 * one statement per flush instead of one per reply. Losing a batch in a crash is safe: an unmarked row
 * is re-relayed by the sweep, and the mt worker's sent-marker in Redis stops a second send.
 */
import type { Db } from '../../db/client.js';
import { markOutboxRelayed, markOutboxSent, type SentMark } from '../../db/queries/outbox-marks.js';
import { archiveSentReplies } from '../../db/queries/sms-archive.js';
import type { Logger } from '../../log.js';

export interface OutboxMarks {
  relayed(ids: readonly number[]): void;
  sent(mark: SentMark): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createOutboxMarks(deps: { db: Db; log: Logger; everyMs?: number; maxBatch?: number }): OutboxMarks {
  const everyMs = deps.everyMs ?? 20;
  const maxBatch = deps.maxBatch ?? 500;
  let relayed: number[] = [];
  let sent: SentMark[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) { clearTimeout(timer); timer = undefined; }
    const r = relayed, s = sent;
    relayed = [];
    sent = [];
    if (!r.length && !s.length) return running;
    running = running.then(async () => {
      try {
        await markOutboxRelayed(deps.db, r);
        await markOutboxSent(deps.db, s);
        await archiveSentReplies(deps.db, s.filter((m) => m.status === 'sent').map((m) => m.id), new Date()); // SMS archive (archive.ts)
      } catch (e) {
        deps.log.warn({ err: e, rows: r.length + s.length }, 'outbox bookkeeping failed; the sweep will catch up');
      }
    });
    return running;
  };
  const schedule = () => {
    if (relayed.length + sent.length >= maxBatch) void flush();
    else timer ??= setTimeout(() => void flush(), everyMs);
  };
  return {
    relayed(ids) { relayed.push(...ids); schedule(); },
    sent(mark) { sent.push(mark); schedule(); },
    flush,
    async close() { await flush(); },
  };
}
