/**
 * The reply senders of each link on this node, and the choice of one per PDU. "Ready" means bound, not alive:
 * a peer that abandoned its socket keeps a session bound until the keepalive notices. So a PDU goes to a ready
 * sender that is not suspect (smpp/liveness.ts) and has window room, round robin; it never waits on a full
 * window while another sender of the link has room. When none has, it waits for room, a suspicion change or a
 * new sender, first come first served, but no longer than the caller's deadline: a job must not hold a worker
 * slot on a dead window.
 */
import { ScgwError } from '../../errors.js';
import type { SmppSession } from '../../smpp/session.js';
import type { OutboundPdu, SendResult } from '../../smpp/types.js';

/** Whatever can carry a link's replies: a session bound to us (deliver_sm) or our bind to an SMSC (submit_sm). */
export interface ReplySender {
  /** Ready now: bound, and the bind lets replies go this way. */
  readonly ready: boolean;
  /** A PDU of ours went unanswered and nothing answered since: probed, not picked. */
  readonly suspect: boolean;
  /** A PDU sent now takes a window slot at once (synchronously, inside send()). */
  readonly hasRoom: boolean;
  /** Calls cb when a PDU may have become sendable without waiting (room, suspicion, the end); returns the unsubscribe. */
  onRoom(cb: () => void): () => void;
  /** timeoutMs: this PDU's response timer; running out makes the sender suspect. */
  send(pdu: OutboundPdu, timeoutMs: number): Promise<SendResult>;
}

/** A session a peer bound to our listener: replies go back as deliver_sm [S34 §2.2]. */
export function sessionSender(s: SmppSession): ReplySender {
  return {
    get ready() { return s.canReceive; },
    get suspect() { return s.suspect; },
    get hasRoom() { return s.hasRoom; },
    onRoom: (cb) => s.onRoom(cb),
    send: (pdu, timeoutMs) => s.send('deliver_sm', pdu, timeoutMs),
  };
}

/** No sender of the link had room (or all were suspect) until the deadline: nothing was sent. */
export const NO_ROOM = 'no-room';

/** What the parts of one reply share: the sender they went to, and what to call as each is written. */
export interface Affinity { sender?: ReplySender; onSend?: () => void }

export interface SenderPool {
  /** Adds a sender; true when it is the link's first. */
  add(link: string, sender: ReplySender): boolean;
  /** Removes a sender; true when the link has none left. False when it was not there. */
  remove(link: string, sender: ReplySender): boolean;
  /** Some sender of the link is ready (suspect or not). */
  ready(link: string): boolean;
  /** Some sender of the link is ready and not suspect: a PDU gets a slot once one frees (its window may be full now). */
  answering(link: string): boolean;
  /**
   * Sends one PDU through the best sender of the link, waiting for room until deadline (epoch ms). The parts
   * of one reply share `affinity`: they stay on one sender while it can take them (some SMSCs join a
   * concatenated message per bind), and move to another only rather than wait.
   */
  send(link: string, pdu: OutboundPdu, deadline: number, affinity?: Affinity): Promise<SendResult | typeof NO_ROOM>;
  clear(): void;
}

export function createSenderPool(opts: { responseTimeoutMs: number; now?: () => number }): SenderPool {
  const now = opts.now ?? Date.now;
  const senders = new Map<string, Set<ReplySender>>();
  /** Each sender's onRoom subscription, taken once when it is added. */
  const subscribed = new Map<ReplySender, () => void>();
  /**
   * The PDUs waiting for room, per link, first come first served. A freed slot goes to the oldest waiter: one
   * wake-up per slot, where waking every waiter on every response cost O(waiters) timers and subscriptions each
   * (past saturation hundreds of waiters, thousands of responses a second).
   */
  const waiting = new Map<string, Waiter[]>();
  /** Links whose waiters are looked at in this tick's microtask (pump). */
  const pumping = new Set<string>();
  let rr = 0;

  const readyOf = (link: string) => [...(senders.get(link) ?? [])].filter((s) => s.ready);
  /** Of `ready`, the senders that can take a PDU now: not suspect, with window room. */
  const usableOf = (ready: ReplySender[]) => ready.filter((s) => !s.suspect && s.hasRoom);
  const noSession = (link: string) => new ScgwError('SCGW_NO_SESSION', `no reply sender for link ${link} on this node`);
  /** The parts of one reply stay on their sender while it can take them; else round robin. */
  function sendOn(usable: ReplySender[], pdu: OutboundPdu, affinity: Affinity) {
    const pick = affinity.sender && usable.includes(affinity.sender) ? affinity.sender : usable[rr++ % usable.length]!;
    affinity.sender = pick;
    affinity.onSend?.();
    // send() takes the window slot before it returns: no other PDU can take it between the check and here.
    return pick.send(pdu, opts.responseTimeoutMs);
  }
  /** Hands the link's free slots to its oldest waiters; with no sender left, every waiter fails. */
  function pump(link: string) {
    const q = waiting.get(link);
    if (!q?.length) return;
    const ready = readyOf(link);
    if (!ready.length) {
      waiting.delete(link);
      for (const w of q) { clearTimeout(w.timer); w.reject(noSession(link)); }
      return;
    }
    for (let usable = usableOf(ready); usable.length && q.length; usable = usableOf(ready)) {
      const w = q.shift()!;
      clearTimeout(w.timer);
      try { w.resolve(sendOn(usable, w.pdu, w.affinity)); } catch (e) { w.reject(e); }
    }
  }
  /** Room, a suspicion change or a sender coming or going: the waiters are served in a microtask, once per tick. */
  const wake = (link: string) => {
    if (!waiting.get(link)?.length || pumping.has(link)) return;
    pumping.add(link);
    queueMicrotask(() => { pumping.delete(link); pump(link); });
  };

  return {
    add(link, sender) {
      const set = senders.get(link) ?? new Set();
      set.add(sender);
      senders.set(link, set);
      if (!subscribed.has(sender)) subscribed.set(sender, sender.onRoom(() => wake(link)));
      wake(link);
      return set.size === 1;
    },
    remove(link, sender) {
      const set = senders.get(link);
      if (!set?.delete(sender)) return false;
      subscribed.get(sender)?.();
      subscribed.delete(sender);
      wake(link);
      if (set.size > 0) return false;
      senders.delete(link);
      return true;
    },
    ready: (link) => readyOf(link).length > 0,
    answering: (link) => readyOf(link).some((s) => !s.suspect),
    send(link, pdu, deadline, affinity = {}) {
      const ready = readyOf(link);
      if (!ready.length) return Promise.reject(noSession(link));
      const q = waiting.get(link);
      // Room now and nobody ahead: sent at once.
      const usable = q?.length ? [] : usableOf(ready);
      if (usable.length) {
        try { return sendOn(usable, pdu, affinity); } catch (e) { return Promise.reject(e); }
      }
      const left = deadline - now();
      if (left <= 0) return Promise.resolve(NO_ROOM);
      return new Promise<SendResult | typeof NO_ROOM>((resolve, reject) => {
        const list = q ?? [];
        waiting.set(link, list);
        const w: Waiter = {
          pdu, affinity, resolve, reject,
          timer: setTimeout(() => {
            const i = list.indexOf(w);
            if (i >= 0) list.splice(i, 1);
            resolve(NO_ROOM);
          }, left),
        };
        list.push(w);
        // Behind others: room that came in this turn goes to them first, then, if some is left, to this one.
        wake(link);
      });
    },
    clear() {
      for (const [link, q] of waiting) for (const w of q) { clearTimeout(w.timer); w.reject(noSession(link)); }
      waiting.clear();
      for (const off of subscribed.values()) off();
      subscribed.clear();
      senders.clear();
    },
  };
}

interface Waiter {
  pdu: OutboundPdu;
  affinity: Affinity;
  timer: NodeJS.Timeout;
  resolve(r: SendResult | typeof NO_ROOM | Promise<SendResult>): void;
  reject(e: unknown): void;
}
