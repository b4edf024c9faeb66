/**
 * Heartbeats: every node writes what it is doing to `<prefix>:fleet:node:<id>` (JSON, expiring after three
 * beats) and its id to the `<prefix>:fleet:nodes` sorted set (score: last beat), so any node can list the
 * fleet without a SCAN. A stopping node deletes its key; a killed one drops out when the key expires.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { NodeBeat } from './types.js';

export const nodesKey = (prefix: string) => `${prefix}:fleet:nodes`;
export const nodeKey = (prefix: string, id: string) => `${prefix}:fleet:node:${id}`;

export interface Heartbeat {
  /** Beat now (a drain says so at once), besides the timer. */
  beat(): Promise<void>;
  close(): Promise<void>;
}

export function createHeartbeat(deps: { redis: Redis | Cluster; prefix: string; nodeId: string; everyMs: number; collect(): Promise<NodeBeat>; log: Logger }): Heartbeat {
  const ttlMs = deps.everyMs * 3;
  let stopped = false;
  let warned = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function once(): Promise<void> {
    try {
      const beat = await deps.collect();
      if (stopped) return;
      const now = Date.now();
      await deps.redis.multi()
        .set(nodeKey(deps.prefix, deps.nodeId), JSON.stringify(beat), 'PX', ttlMs)
        .zadd(nodesKey(deps.prefix), now, deps.nodeId)
        // Ids of nodes that stopped beating long ago (their keys expired): the set stays small.
        .zremrangebyscore(nodesKey(deps.prefix), '-inf', now - 10 * ttlMs)
        .exec();
      warned = false;
    } catch (e) {
      if (!warned) deps.log.warn({ err: e }, 'heartbeat not written; will retry');
      warned = true;
    }
  }
  const beat = () => (running = running.then(once));
  const loop = () => {
    timer = setTimeout(() => { void beat().then(() => { if (!stopped) loop(); }); }, deps.everyMs);
  };
  loop();

  return {
    beat,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      try {
        await deps.redis.multi().del(nodeKey(deps.prefix, deps.nodeId)).zrem(nodesKey(deps.prefix), deps.nodeId).exec();
      } catch (e) {
        deps.log.warn({ err: e }, 'heartbeat not removed; it expires by itself');
      }
    },
  };
}

/** Every node whose heartbeat has not expired, by id. */
export async function readNodes(redis: Redis | Cluster, prefix: string): Promise<NodeBeat[]> {
  const ids = await redis.zrange(nodesKey(prefix), 0, -1);
  if (!ids.length) return [];
  const raw = await redis.mget(ids.map((id) => nodeKey(prefix, id)));
  // Code-unit order, not localeCompare: that maps ICU's collation data in (about 2.5 MiB resident) for ids that are ASCII.
  return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as NodeBeat).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
