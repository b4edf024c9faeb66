/**
 * When an MO counts as durable enough to ack (ACK_DURABILITY, README "Durability"):
 * - memory: Redis answered the enqueue. With AOF everysec an OS crash or power cut of the Redis machine loses
 *   up to about a second of acked MO (a crash of the Redis process alone loses nothing already written).
 * - replica: also `WAIT n timeout` on the connection that enqueued: the write reached n replicas' memory, so
 *   losing the primary's machine loses nothing acked. No replica in time → ESME_RMSGQFUL (the peer retries).
 *   WAITAOF (the primary's own fsync) needs Redis 7.2; Debian 12 ships 7.0.
 * - fsync: the operator runs Redis with `appendfsync always` (Redis then fsyncs the AOF before it replies);
 *   checked once at start, since nothing per MO can tell.
 */
import type { Cluster, Redis } from 'ioredis';
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';

export type AckDurability = 'memory' | 'replica' | 'fsync';

export interface AckGate {
  /** Resolves when what the connection wrote so far is as durable as the mode asks; throws SCGW_NOT_REPLICATED if not. */
  afterEnqueue(): Promise<void>;
}

export function createAckGate(o: { mode: AckDurability; redis: Redis | Cluster; replicas: number; timeoutMs: number }): AckGate {
  if (o.mode !== 'replica') return { afterEnqueue: async () => {} };
  return {
    async afterEnqueue() {
      // WAIT covers every write this connection made before it, so it must run on the enqueuing connection.
      const acked = await o.redis.wait(o.replicas, o.timeoutMs);
      if (acked < o.replicas) {
        throw new ScgwError('SCGW_NOT_REPLICATED', `${acked} of ${o.replicas} Redis replicas acknowledged the MO within ${o.timeoutMs} ms`);
      }
    },
  };
}

/** Start-up check: fsync refuses to start on a Redis that does not fsync every write; replica warns while replicas are missing. */
export async function checkAckDurability(o: { mode: AckDurability; redis: Redis | Cluster; replicas: number; log: Logger }): Promise<void> {
  if (o.mode === 'fsync') {
    // On a cluster every master holds some slot (a failover promotes a replica: run them all alike).
    for (const node of isCluster(o.redis) ? o.redis.nodes('master') : [o.redis]) {
      let conf: string[];
      try {
        conf = [...await node.config('GET', 'appendonly') as string[], ...await node.config('GET', 'appendfsync') as string[]];
      } catch (e) {
        throw new ScgwError('SCGW_CONFIG_INVALID', 'ACK_DURABILITY=fsync: CONFIG GET refused by Redis, so appendfsync cannot be checked; use memory or replica', { cause: e });
      }
      const [, appendonly, , appendfsync] = conf;
      if (appendonly !== 'yes' || appendfsync !== 'always') {
        throw new ScgwError('SCGW_CONFIG_INVALID', `ACK_DURABILITY=fsync needs Redis with appendonly yes and appendfsync always (it has appendonly ${appendonly}, appendfsync ${appendfsync})`);
      }
    }
    o.log.info('ack durability: Redis fsyncs the AOF before it answers (appendfsync always)');
  } else if (o.mode === 'replica') {
    const m = /connected_slaves:(\d+)/.exec(await o.redis.info('replication'));
    const n = Number(m?.[1] ?? 0);
    if (n < o.replicas) o.log.warn({ connected: n, needed: o.replicas }, 'ack durability replica: too few Redis replicas connected; MO are refused until they are');
    else o.log.info({ connected: n, needed: o.replicas }, 'ack durability: MO acked after WAIT on the Redis replicas');
  }
}

function isCluster(r: Redis | Cluster): r is Cluster {
  return (r as Cluster).isCluster === true;
}
