/**
 * An ESME: binds to an SMSC (or to our own listener: `scgw sim`, tests, outbound links), sends submit_sm and
 * answers deliver_sm with the status onMessage returns. node-smpp has no connect timeout and no reconnect
 * (LIBRARIES §2); both are here, the reconnect a plain capped backoff with a fresh session each time.
 */
import { connect, type Socket } from 'node:net';
import { ScgwError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_MAX_PDU_LENGTH, type DecodedPdu } from './pdu.js';
import { SmppSession } from './session.js';
import { ESME, SmppStatusError, statusForError, statusName } from './status.js';
import type { BindKind, InboundMessage, OutboundPdu, SendResult } from './types.js';
import { vendors, type VendorProfile } from './vendors/index.js';

export interface SmppClientOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  bindKind: BindKind;
  log: Logger;
  /** Our outstanding submit_sm. */
  window: number;
  responseTimeoutMs: number;
  /** Answers a deliver_sm / data_sm with the status it returns (a throw → statusForError); without it, ESME_ROK. */
  onMessage?: (msg: InboundMessage) => Promise<number>;
  enquireLinkS?: number;
  /** After a bound session drops, bind again with backoff (reconnectBaseMs doubling, capped at 30 s). */
  reconnect?: boolean;
  reconnectBaseMs?: number;
  /** TCP connect timeout; defaults to responseTimeoutMs. */
  connectTimeoutMs?: number;
  systemType?: string;
  addressRange?: string;
  /** InboundMessage.link for what arrives here; defaults to systemId. */
  link?: string;
  maxPduLength?: number;
  vendor?: VendorProfile;
  now?: () => number;
}

export interface SmppClient {
  /** Resolves once bound; rejects SmppStatusError (SCGW_SMPP_STATUS, the bind status name) on refusal, SCGW_SMPP_TIMEOUT / SCGW_SMPP_CLOSED on connect failure. */
  connect(): Promise<void>;
  /** timeoutMs: this message's response timer (default responseTimeoutMs); running out makes the session suspect. */
  submit(pdu: OutboundPdu, timeoutMs?: number): Promise<SendResult>;
  /** The bound session has a message unanswered and is being probed (SmppSession.suspect). */
  readonly suspect: boolean;
  /** A submit now takes a window slot at once. */
  readonly hasRoom: boolean;
  /** SmppSession.onRoom of the current session (a reconnect makes a new one: watch `bound` for that). */
  onRoom(cb: () => void): () => void;
  /** Unbind (waiting up to responseTimeoutMs), then close; stops reconnecting. */
  close(): Promise<void>;
  readonly bound: boolean;
}

const MAX_BACKOFF_MS = 30_000;

export function createSmppClient(opts: SmppClientOptions): SmppClient {
  const link = opts.link ?? opts.systemId;
  const log = opts.log.child({ component: 'smpp', link, peer: `${opts.host}:${opts.port}` });
  const vendor = opts.vendor ?? vendors.standard;
  const now = opts.now ?? Date.now;
  let session: SmppSession | undefined;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  async function bindOnce(): Promise<SmppSession> {
    const socket = await dial(opts.host, opts.port, opts.connectTimeoutMs ?? opts.responseTimeoutMs);
    const s = new SmppSession({
      socket,
      log,
      vendor,
      maxPduLength: opts.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      responseTimeoutMs: opts.responseTimeoutMs,
      window: opts.window,
      onRequest,
      onClosed,
    });
    const command = `bind_${opts.bindKind}`;
    let resp: DecodedPdu;
    try {
      // The session stops reading behind bind_resp until markBound() below: whatever the SMSC sends in the
      // same read (deliver_sm, enquire_link, unbind) is handled as bound, not refused ESME_RINVBNDSTS.
      resp = await s.request(command, {
        system_id: opts.systemId,
        password: opts.password,
        system_type: opts.systemType ?? '',
        interface_version: 0x34,
        addr_ton: 0,
        addr_npi: 0,
        address_range: opts.addressRange ?? '',
      });
    } catch (e) {
      await s.close();
      throw e;
    }
    if (resp.command_status !== ESME.ROK) {
      await s.close();
      throw new SmppStatusError(resp.command_status, `${command} refused: ${statusName(resp.command_status)}`);
    }
    s.markBound(opts.bindKind, link, opts.window);
    if (opts.enquireLinkS) s.startKeepalive(opts.enquireLinkS);
    return s;
  }

  function onRequest(s: SmppSession, pdu: DecodedPdu): void {
    if (pdu.command === 'deliver_sm' || pdu.command === 'data_sm') {
      deliver(s, pdu).catch((e: unknown) => s.log.error({ err: e }, 'deliver handling failed'));
      return;
    }
    // An ESME takes no submit_sm, bind or the like; before the bind, nothing at all [S34 §2.2].
    s.respond(pdu, s.bound ? ESME.RINVCMDID : ESME.RINVBNDSTS);
  }

  async function deliver(s: SmppSession, pdu: DecodedPdu): Promise<void> {
    if (!s.bound) return s.respond(pdu, ESME.RINVBNDSTS);
    const read = vendor.readInbound(pdu, { sessionId: s.id, link, receivedAt: now() });
    if (!read.ok) {
      s.log.warn({ command: pdu.command, seq: pdu.sequence_number, status: statusName(read.status), reason: read.reason }, 'message refused');
      return s.respond(pdu, read.status);
    }
    let status: number = ESME.ROK;
    if (opts.onMessage) {
      try {
        status = await opts.onMessage(read.msg);
      } catch (e) {
        status = statusForError(e);
        s.log.warn({ err: e, status: statusName(status) }, 'onMessage failed');
      }
    }
    // S34 §4.6.2: deliver_sm_resp's message_id is unused (one NUL).
    s.respond(pdu, status, status === ESME.ROK ? { message_id: '' } : {});
  }

  function onClosed(s: SmppSession): void {
    if (s !== session) return;
    session = undefined;
    if (opts.reconnect && !stopped) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    const delay = Math.min((opts.reconnectBaseMs ?? 1000) * 2 ** attempt, MAX_BACKOFF_MS);
    attempt++;
    log.info({ delayMs: delay, attempt }, 'reconnecting');
    retryTimer = setTimeout(() => {
      bindOnce().then(
        (s) => {
          if (stopped) return void s.unbind(opts.responseTimeoutMs);
          session = s;
          attempt = 0;
        },
        (e: unknown) => {
          log.warn({ err: e }, 'rebind failed');
          if (!stopped) scheduleReconnect();
        },
      );
    }, delay);
  }

  return {
    async connect() {
      if (session?.bound) return;
      stopped = false;
      session = await bindOnce();
      attempt = 0;
    },
    submit(pdu, timeoutMs) {
      if (!session?.bound) return Promise.reject(new ScgwError('SCGW_SMPP_CLOSED', `link ${link} is not bound`));
      return session.send('submit_sm', pdu, timeoutMs);
    },
    get suspect() {
      return session?.suspect ?? false;
    },
    get hasRoom() {
      return session?.hasRoom ?? false;
    },
    onRoom(cb) {
      return session ? session.onRoom(cb) : () => {};
    },
    async close() {
      stopped = true;
      clearTimeout(retryTimer);
      const s = session;
      session = undefined;
      if (s) await s.unbind(opts.responseTimeoutMs);
    },
    get bound() {
      return session?.bound ?? false;
    },
  };
}

function dial(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ScgwError('SCGW_SMPP_TIMEOUT', `connect to ${host}:${port} took over ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (e: Error) => {
      clearTimeout(timer);
      reject(new ScgwError('SCGW_SMPP_CLOSED', `connect to ${host}:${port} failed: ${e.message}`, { cause: e }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
