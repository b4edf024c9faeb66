/**
 * Fleet-wide control (issue 12): suspend and resume a link, kick a session, drain a node.
 * - A suspension lives in Redis (`<prefix>:fleet:suspended`, link → who and when), so every node honours it:
 *   each keeps a copy, refreshed on a message on `<prefix>:fleet:control` and every POLL_MS besides (a message
 *   missed in a reconnect). While suspended, intake answers the link's MO ESME_RTHROTTLED (the SMSC holds them)
 *   and the link's `mt-<link>` queue is paused globally (BullMQ): its replies wait in Redis, none is dropped,
 *   and they flow once it is resumed.
 * - Kick and drain are messages on the same channel; the node they name acts (closes the bind, or runs its
 *   graceful stop). The caller learns from the heartbeats which node holds a session.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { Queues } from '../queues.js';
import { readNodes } from './heartbeat.js';
import type { NodeBeat, Suspension } from './types.js';

export const suspendedKey = (prefix: string) => `${prefix}:fleet:suspended`;
export const controlChannel = (prefix: string) => `${prefix}:fleet:control`;
const POLL_MS = 1000;

type Command = { type: 'suspensions' } | { type: 'kick'; node: string; session: string } | { type: 'drain'; node: string };

export interface FleetControl {
  nodeId: string;
  /** Answered from this node's copy: no round trip per MO. */
  suspended(link: string): boolean;
  suspensions(): ReadonlyMap<string, Suspension>;
  suspend(link: string, by: string): Promise<Suspension>;
  resume(link: string): Promise<void>;
  /** The node holding the listener session (from the heartbeats), told to close it; undefined when no node lists it. */
  kick(session: string): Promise<{ node: string } | undefined>;
  /** False when no live node has that id. */
  drain(node: string): Promise<boolean>;
  nodes(): Promise<NodeBeat[]>;
  draining(): boolean;
  close(): Promise<void>;
}

export interface FleetControlDeps {
  redis: Redis | Cluster;
  /** A connection of its own: a subscribed connection takes no other commands. */
  subscriber: Redis | Cluster;
  prefix: string;
  nodeId: string;
  queues: Pick<Queues, 'mt'>;
  log: Logger;
  /** Closes the session if this node holds it. */
  onKick(session: string): boolean;
  /** Stop listening, finish in-flight work, exit (main.ts: the SIGINT path). */
  onDrain(): void;
}

export async function createFleetControl(deps: FleetControlDeps): Promise<FleetControl> {
  const { redis, prefix } = deps;
  let copy = new Map<string, Suspension>();
  let draining = false;
  let stopped = false;
  let warned = false;

  async function refresh(): Promise<void> {
    try {
      const all = await redis.hgetall(suspendedKey(prefix));
      copy = new Map(Object.entries(all).map(([link, v]) => [link, JSON.parse(v) as Suspension]));
      warned = false;
    } catch (e) {
      // Redis away: keep the last copy (intake refuses on its own without Redis).
      if (!warned) deps.log.warn({ err: e }, 'link suspensions unavailable; keeping the last known');
      warned = true;
    }
  }

  function onCommand(raw: string): void {
    let cmd: Command;
    try { cmd = JSON.parse(raw) as Command; } catch { return; }
    if (cmd.type === 'suspensions') void refresh();
    else if (cmd.type === 'kick' && cmd.node === deps.nodeId) {
      const found = deps.onKick(cmd.session);
      deps.log.info({ session: cmd.session, found }, 'kick: closing the session');
    } else if (cmd.type === 'drain' && cmd.node === deps.nodeId && !draining) {
      draining = true;
      deps.log.info('drain: no new binds; finishing in-flight work, then stopping');
      deps.onDrain();
    }
  }

  deps.subscriber.on('message', (channel: string, message: string) => { if (channel === controlChannel(prefix)) onCommand(message); });
  await deps.subscriber.subscribe(controlChannel(prefix));
  await refresh();
  let timer: NodeJS.Timeout | undefined;
  const poll = () => { timer = setTimeout(() => { void refresh().then(() => { if (!stopped) poll(); }); }, POLL_MS); };
  poll();

  const publish = (cmd: Command) => redis.publish(controlChannel(prefix), JSON.stringify(cmd));

  return {
    nodeId: deps.nodeId,
    suspended: (link) => copy.has(link),
    suspensions: () => copy,
    async suspend(link, by) {
      const s: Suspension = copy.get(link) ?? { by, at: new Date().toISOString() };
      await redis.hset(suspendedKey(prefix), link, JSON.stringify(s));
      copy.set(link, s);
      // Held from here: no worker of any node takes the link's next reply until resume.
      await deps.queues.mt(link).pause();
      await publish({ type: 'suspensions' });
      deps.log.info({ link, by }, 'link suspended');
      return s;
    },
    async resume(link) {
      await deps.queues.mt(link).resume();
      await redis.hdel(suspendedKey(prefix), link);
      copy.delete(link);
      await publish({ type: 'suspensions' });
      deps.log.info({ link }, 'link resumed');
    },
    async kick(session) {
      const holder = (await readNodes(redis, prefix)).find((n) => n.sessions.some((s) => s.id === session && s.direction === 'listener'));
      if (!holder) return undefined;
      await publish({ type: 'kick', node: holder.id, session });
      return { node: holder.id };
    },
    async drain(node) {
      if (!(await readNodes(redis, prefix)).some((n) => n.id === node)) return false;
      await publish({ type: 'drain', node });
      return true;
    },
    nodes: () => readNodes(redis, prefix),
    draining: () => draining,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await deps.subscriber.unsubscribe().catch(() => undefined);
    },
  };
}
