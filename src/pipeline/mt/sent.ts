/**
 * The mt worker's sent-markers, written for the replies of one event-loop tick in ONE round trip (a MULTI of
 * each reply's SET marker + DEL parts hash) instead of one each. Each caller still waits for its own marker to
 * be stored before its job completes: "sent from here" keeps its order (send → marker → completion); only the
 * round trips of replies sent together are shared. A rejected write rejects every caller of it: their jobs fail
 * and re-run, as when a single marker write failed.
 */
import type { Cluster, Redis } from 'ioredis';
import { mtPartsKey, mtSentKey, MT_SENT_TTL_S } from '../queues.js';

export interface SentMarker {
  /** Resolves once the marker of `outboxId` is stored (and its parts hash dropped). */
  mark(outboxId: number): Promise<void>;
}

export function createSentMarker(connection: Redis | Cluster, prefix: string): SentMarker {
  let pending: { id: number; resolve(): void; reject(e: unknown): void }[] = [];

  async function flush() {
    const items = pending;
    pending = [];
    const m = connection.multi();
    for (const { id } of items) m.set(mtSentKey(prefix, id), '1', 'EX', MT_SENT_TTL_S).del(mtPartsKey(prefix, id));
    try {
      // As the single write did: a rejected exec fails the jobs; per-command replies are not inspected.
      await m.exec();
    } catch (e) {
      for (const it of items) it.reject(e);
      return;
    }
    for (const it of items) it.resolve();
  }

  return {
    mark(outboxId) {
      return new Promise<void>((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ id: outboxId, resolve, reject });
      });
    },
  };
}
