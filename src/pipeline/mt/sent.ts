/**
 * The mt worker's sent-markers, written for the replies of one event-loop tick in ONE command: a script that sets
 * each reply's marker and drops its parts hash (if it was sent in parts), atomically as the MULTI it replaces, but
 * one command for the client to build and Redis to answer instead of 2 per reply plus MULTI and EXEC. Each caller
 * still waits for its own marker to be stored before its job completes: "sent from here" keeps its order (send →
 * marker → completion); only the round trips of replies sent together are shared. A rejected write rejects every
 * caller of it: their jobs fail and re-run, as when a single marker write failed. All keys share the prefix, so on
 * a Redis Cluster (prefix a hash tag) they share a slot.
 */
import type { Cluster, Redis } from 'ioredis';
import { batchPerTick } from '../../tick-batch.js';
import { mtPartsKey, mtSentKey, MT_SENT_TTL_S } from '../queues.js';

/**
 * KEYS: the N sent-markers, then the parts hashes to drop (those of replies sent in several parts: a reply in one
 * part never has one); ARGV[1]: the markers' TTL in seconds, ARGV[2]: N. Returns N.
 */
const MARK_SENT_LUA = `
local n = tonumber(ARGV[2])
for i = 1, n do redis.call('SET', KEYS[i], '1', 'EX', ARGV[1]) end
for i = n + 1, #KEYS do redis.call('DEL', KEYS[i]) end
return n`;

export interface SentMarker {
  /** Resolves once the marker of `outboxId` is stored (and, `parts`: its parts hash dropped). */
  mark(outboxId: number, parts?: boolean): Promise<void>;
}

type WithMarkSent = { scgwMarkSent(n: number, ...args: (string | number)[]): Promise<number> };

export function createSentMarker(connection: Redis | Cluster, prefix: string): SentMarker {
  if (!('scgwMarkSent' in connection)) connection.defineCommand('scgwMarkSent', { lua: MARK_SENT_LUA });
  const run = connection as unknown as WithMarkSent;
  const mark = batchPerTick<{ id: number; parts: boolean }, void>(async (items) => {
    const keys = items.map((m) => mtSentKey(prefix, m.id));
    for (const m of items) if (m.parts) keys.push(mtPartsKey(prefix, m.id));
    await run.scgwMarkSent(keys.length, ...keys, MT_SENT_TTL_S, items.length);
    return [];
  });
  return { mark: (id, parts = false) => mark({ id, parts }) };
}
