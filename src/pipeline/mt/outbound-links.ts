/**
 * Outbound links (direction 'connect', SPEC flow item 2): on a listener node, scgw binds as an ESME to each
 * enabled connect link's SMSC. MO arrive as deliver_sm and take the listener's intake (acked only after the
 * durable enqueue); while the bind can transmit it is a reply sender of its link, so the link's mt worker
 * (and its rate limit) sends replies as submit_sm with registered_delivery 1, whose receipts come back as
 * deliver_sm through the same intake.
 *
 * The first bind is retried here with a capped backoff (a refused password included: logged, never fatal);
 * once bound, the client rebinds by itself after a drop (smpp/client.ts). The config view is polled: a link
 * added, removed or edited is bound, unbound or rebound without a restart.
 *
 * With `leases` (every gateway; link-leases.ts), a link is bound here only while this node holds one of its
 * `binds` lease slots in Redis: one bind fleet-wide by default. A lost slot unbinds at once; a slot is given
 * back only after the unbind (link removed or disabled, drain, shutdown), so two nodes never overlap. Replies
 * wait in `mt-<link>` meanwhile: the mt worker runs only on the node whose bind is up (senderUp/senderDown).
 */
import type { Logger } from '../../log.js';
import { createSmppClient, type SmppClient } from '../../smpp/client.js';
import { ESME } from '../../smpp/status.js';
import type { InboundMessage, OutboundPdu } from '../../smpp/types.js';
import { vendorOf } from '../../smpp/vendors/index.js';
import type { LinkRow } from '../../db/queries/config.js';
import type { MtDispatcher, ReplySender } from './worker.js';
import type { RouteCache } from '../route-cache.js';
import { createLinkLeases, LEASE_RETRY_MS, type LinkLeases, type LinkLeasesDeps } from './link-leases.js';

export interface OutboundLinksDeps {
  cache: RouteCache;
  mt: Pick<MtDispatcher, 'senderUp' | 'senderDown'>;
  log: Logger;
  /** The listener's intake: resolves once the message is durable. */
  intake(msg: InboundMessage, o: { windowFull: boolean }): Promise<void>;
  smpp: { responseTimeoutMs: number; enquireLinkS: number };
  /** How often the config view and the binds' state are checked. */
  pollMs?: number;
  /** First delay of the bind backoff (doubling, capped at MAX_BACKOFF_MS). */
  reconnectBaseMs?: number;
  /** A deliver_sm intake refused: the cause (an ScgwError code), the link and the command_status answered. */
  onRefused?(reason: string, link: string, status: number): void;
  /** One bind per link fleet-wide (link-leases.ts); unset: every enabled connect link is bound here. */
  leases?: Pick<LinkLeasesDeps, 'redis' | 'prefix' | 'nodeId' | 'ttlMs' | 'retryMs'>;
  /**
   * With leases: a node whose bind under a slot has not been up for this long (the SMSC unreachable or refusing
   * it from here, say an address allow-list) gives the slot back and skips three asks, so another node (asking
   * every second) can try. Default HANDOFF_MS.
   */
  handoffMs?: number;
}

export interface OutboundLinks {
  /** 1 while this node holds a bound session to the link's SMSC, else 0. */
  bound(link: string): number;
  /** This node's bound binds to SMSCs, for the fleet view (slot: the lease slot it binds under). */
  binds(): { link: string; peer: string; bindKind: string; slot?: number }[];
  close(): Promise<void>;
}

interface Entry {
  key: string;
  client: SmppClient;
  sender: ReplySender;
  canTransmit: boolean;
  peer: string;
  bindKind: string;
  up: boolean;
  stopped: boolean;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  /** When the bind was last seen up (or the entry opened): a leased link unbound for handoffMs is handed off. */
  upAt: number;
}

const MAX_BACKOFF_MS = 30_000;
const HANDOFF_MS = 60_000;

/** Everything that needs a fresh bind when it changes. */
function bindKey(l: LinkRow): string {
  return JSON.stringify([l.host, l.port, l.remoteSystemId, l.remotePassword, l.systemType, l.bindKind, l.window, l.vendor]);
}

/**
 * An ESME's answer to a deliver_sm it cannot take [S34 §5.1.3]: RX_T_APPN (temporary: the SMSC retries) for
 * queue trouble and anything unknown, RX_P_APPN (permanent) for a short code no route serves.
 */
export function refusalStatus(e: unknown): number {
  return (e as { code?: string }).code === 'SCGW_UNKNOWN_SHORT_CODE' ? ESME.RX_P_APPN : ESME.RX_T_APPN;
}

export function createOutboundLinks(deps: OutboundLinksDeps): OutboundLinks {
  const entries = new Map<string, Entry>();
  const baseMs = deps.reconnectBaseMs ?? 1000;
  let version = -1;
  let closed = false;

  function open(l: LinkRow): Entry {
    const log = deps.log.child({ link: l.name });
    const client = createSmppClient({
      host: l.host ?? '', port: l.port ?? 0,
      systemId: l.remoteSystemId ?? l.name, password: l.remotePassword ?? '', systemType: l.systemType,
      bindKind: l.bindKind, link: l.name, log: deps.log,
      window: l.window, responseTimeoutMs: deps.smpp.responseTimeoutMs, enquireLinkS: deps.smpp.enquireLinkS,
      reconnect: true, reconnectBaseMs: baseMs,
      vendor: vendorOf(l.vendor),
      onMessage: async (msg) => {
        try {
          // The SMSC's window is its own and unknown here (it may wait for each ack): stored at once, never gathered.
          await deps.intake(msg, { windowFull: true });
          return ESME.ROK; // durable: the client acks only now
        } catch (e) {
          const status = refusalStatus(e);
          deps.onRefused?.((e as { code?: string }).code ?? 'error', l.name, status);
          log.warn({ err: e, status }, 'deliver_sm not accepted; the SMSC will retry');
          return status;
        }
      },
    });
    const sender: ReplySender = {
      get ready() { return client.bound; },
      get suspect() { return client.suspect; },
      get hasRoom() { return client.hasRoom; },
      onRoom: (cb) => client.onRoom(cb),
      // registered_delivery 1: a receipt on success or failure, for every segment [S34 §5.2.17; PROTOCOL §4];
      // not for USSD screens (a dialogue, not a stored message), nor where the PDU already says.
      send: (pdu: OutboundPdu, timeoutMs) => client.submit({ ...pdu, registeredDelivery: pdu.registeredDelivery ?? (pdu.tlvs?.ussdServiceOp === undefined ? 1 : 0) }, timeoutMs),
    };
    const entry: Entry = { key: bindKey(l), client, sender, canTransmit: l.bindKind !== 'receiver', peer: `${l.host}:${l.port}`, bindKind: l.bindKind, up: false, stopped: false, attempt: 0, timer: undefined, upAt: Date.now() };
    const tryBind = () => {
      entry.timer = undefined;
      client.connect().then(
        async () => {
          entry.attempt = 0;
          if (entry.stopped) await client.close(); // closed while binding
          else log.info({ host: l.host, port: l.port }, 'outbound link bound');
        },
        (e: unknown) => {
          if (entry.stopped) return;
          const delayMs = Math.min(baseMs * 2 ** entry.attempt++, MAX_BACKOFF_MS);
          log.warn({ err: e, delayMs, attempt: entry.attempt }, 'outbound bind failed; retrying');
          entry.timer = setTimeout(tryBind, delayMs);
        },
      );
    };
    tryBind();
    return entry;
  }

  /**
   * Stops the link here. Normally the replies in flight finish first, then the unbind. `urgent` (the lease is
   * lost: another node may bind any moment) unbinds at once: senderDown takes the sender out of the pool before
   * its first await, and the jobs still running fail and are retried wherever the link is bound next.
   */
  async function shut(link: string, e: Entry, urgent = false): Promise<void> {
    e.stopped = true;
    clearTimeout(e.timer);
    const down = e.up ? deps.mt.senderDown(link, e.sender) : Promise.resolve();
    e.up = false;
    if (urgent) await Promise.all([e.client.close(), down]);
    else {
      await down;
      await e.client.close();
    }
  }

  /** Bind state → reply sender up/down, so the mt worker runs here only while replies can leave. */
  function track(): void {
    for (const [link, e] of entries) {
      const ready = e.canTransmit && e.client.bound;
      if (ready && !e.up) {
        e.up = true;
        deps.mt.senderUp(link, e.sender);
      } else if (!ready && e.up) {
        e.up = false;
        deps.mt.senderDown(link, e.sender).catch((err: unknown) => deps.log.warn({ err, link }, 'mt worker stop failed'));
      }
    }
  }

  // Lost slot → unbind at once (outside the tick: a sync in progress must not delay it).
  const leases: LinkLeases | undefined = deps.leases && createLinkLeases({
    ...deps.leases, log: deps.log,
    onLost: (link) => {
      const e = entries.get(link);
      if (!e) return void leases?.release(link);
      entries.delete(link);
      shut(link, e, true)
        .catch((err: unknown) => deps.log.warn({ err, link }, 'outbound link: unbind after a lost lease failed'))
        .finally(() => void leases?.release(link)); // a slot given up (binds lowered) is still ours until here
    },
  });
  let wanted = new Map<string, LinkRow>();
  const handoffMs = deps.handoffMs ?? HANDOFF_MS;

  async function sync(): Promise<void> {
    const view = deps.cache.current();
    if (view.version !== version) {
      version = view.version;
      wanted = new Map([...view.links.values()].filter((l) => l.direction === 'connect' && l.enabled && l.host && l.port).map((l) => [l.name, l]));
      leases?.want(new Map([...wanted].map(([name, l]) => [name, l.binds])));
    }
    for (const [name, e] of [...entries]) {
      const l = wanted.get(name);
      const mine = !leases || leases.slot(name) !== undefined;
      if (e.client.bound) e.upAt = Date.now();
      const stuck = !!leases && Date.now() - e.upAt > handoffMs;
      if (l && mine && !stuck && bindKey(l) === e.key) continue;
      entries.delete(name);
      if (stuck && l && mine) deps.log.warn({ link: name, handoffMs }, 'outbound link not bound from here for too long; handing its lease to another node');
      else deps.log.info({ link: name }, !l ? 'outbound link removed or disabled; unbinding' : !mine ? 'outbound link lease gone; unbinding' : 'outbound link changed; binding again');
      await shut(name, e);
      // The slot goes back only after the unbind: the next holder never binds beside us.
      if (!l) await leases?.release(name);
      else if (stuck && mine) await leases?.release(name, 3 * (deps.leases?.retryMs ?? LEASE_RETRY_MS));
    }
    // A slot taken just before its link went from the config, never bound here: straight back.
    for (const name of leases?.held() ?? []) if (!wanted.has(name) && !entries.has(name)) await leases?.release(name);
    for (const [name, l] of wanted) {
      if (!entries.has(name) && (!leases || leases.slot(name) !== undefined)) entries.set(name, open(l));
    }
  }

  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return; // one sync at a time: unbinding a changed link may take a response timeout
    running = sync().then(track)
      .catch((e: unknown) => deps.log.warn({ err: e }, 'outbound links: sync failed'))
      .finally(() => { running = undefined; });
  };
  tick();
  const timer = setInterval(() => { if (!closed) tick(); }, deps.pollMs ?? 250);

  return {
    bound: (link) => (entries.get(link)?.client.bound ? 1 : 0),
    binds: () => [...entries].filter(([, e]) => e.client.bound).map(([link, e]) => {
      const slot = leases?.slot(link);
      return { link, peer: e.peer, bindKind: e.bindKind, ...(slot !== undefined ? { slot } : {}) };
    }),
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await Promise.all([...entries].map(([link, e]) => shut(link, e)));
      entries.clear();
      // Unbound everywhere here: now the other nodes may take the links (drain, SIGTERM).
      await leases?.close();
    },
  };
}
