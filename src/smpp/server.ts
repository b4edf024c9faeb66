/**
 * The listener: accepts ESME (or operator gateway) sessions, authenticates binds through deps, and hands each
 * submit_sm / deliver_sm / data_sm to deps.onMessage. A message is answered ESME_ROK only after onMessage
 * resolved; a rejection becomes statusForError(e). Bind-state rules and timers follow PROTOCOL §1.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { nanoid } from 'nanoid';
import { ScgwError } from '../errors.js';
import type { Logger } from '../log.js';
import { CODEC_MAX_PDU_LENGTH, DEFAULT_MAX_PDU_LENGTH, HEADER_LENGTH, fieldNumber, fieldString, type DecodedPdu } from './pdu.js';
import { SmppSession } from './session.js';
import { ESME, statusForError, statusName } from './status.js';
import type { AuthRequest, AuthResult, BindKind, InboundMessage } from './types.js';
import { vendorOf, vendors, type VendorProfile } from './vendors/index.js';

/** Our system_id in bind_*_resp. */
export const SYSTEM_ID = 'scgw';

export interface SmppServerDeps {
  log: Logger;
  authenticate(req: AuthRequest): Promise<AuthResult>;
  /**
   * windowFull: the session sends nothing more until something is answered (its window is taken), so waiting for
   * more of its PDUs to share a write would only delay them.
   */
  onMessage(msg: InboundMessage, o: { windowFull: boolean }): Promise<void>;
  /** A session finished binding. */
  onBound?(session: SmppSession): void;
  /** A session that had bound is gone (sessions that never bound are not reported). */
  onClosed?(session: SmppSession): void;
  responseTimeoutMs: number;
  sessionInitS: number;
  enquireLinkS?: number;
  /** Frames with command_length outside [16, maxPduLength] are nacked ESME_RINVCMDLEN and the session closed. */
  maxPduLength?: number;
  vendor?: VendorProfile;
  now?: () => number;
  /** Live connections (bound or not) beyond which a new one is closed at once, before any PDU is read. */
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  onConnectionRefused?(reason: 'total' | 'per-source', remoteAddress: string): void;
  /**
   * A bind refused by the listener itself: after authenticate said yes, the link's max_sessions is reached
   * ('sessions'), or authenticate threw ('error', no link).
   */
  onBindRefused?(reason: 'sessions' | 'error', link?: string): void;
  /** A message PDU refused before onMessage (the vendor profile could not read it), with the status sent. */
  onMessageRefused?(link: string, status: number): void;
}

export interface SmppServer {
  /** Resolves with the port actually bound (pass 0 for an ephemeral one). */
  listen(port: number, host?: string): Promise<number>;
  /** Every live session, bound or not (filter on `bound` for link state). */
  sessions(): SmppSession[];
  /** Stops accepting, unbinds every bound session (each waits up to timeoutMs), closes the rest. */
  close(timeoutMs: number): Promise<void>;
}

/** Per-session state the server keeps beside the session. */
interface Binding {
  binding: boolean;
  /** onMessage calls still running; at the bind's window the session stops reading (TCP pushes back). */
  inflight: number;
  window: number;
  initTimer: NodeJS.Timeout | undefined;
}

const BIND_KINDS: Record<string, BindKind | undefined> = {
  bind_transceiver: 'transceiver',
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
};

export function createSmppServer(deps: SmppServerDeps): SmppServer {
  const maxPduLength = deps.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  if (!Number.isInteger(maxPduLength) || maxPduLength < HEADER_LENGTH || maxPduLength > CODEC_MAX_PDU_LENGTH) {
    throw new ScgwError('SCGW_CONFIG_INVALID', `maxPduLength must be ${HEADER_LENGTH}…${CODEC_MAX_PDU_LENGTH}, got ${maxPduLength}`);
  }
  const log = deps.log.child({ component: 'smpp' });
  const vendor = deps.vendor ?? vendors.standard;
  const now = deps.now ?? Date.now;
  const live = new Set<SmppSession>();
  /** Live connections per remote address (the per-source cap). */
  const perSource = new Map<string, number>();
  let closing = false;

  const server = createServer((socket) => accept(socket));
  server.on('error', (e) => log.error({ err: e }, 'listener error'));

  function accept(socket: Socket): void {
    if (closing) {
      socket.destroy();
      return;
    }
    const remote = sourceOf(socket.remoteAddress);
    const refused = deps.maxConnections !== undefined && live.size >= deps.maxConnections ? 'total'
      : deps.maxConnectionsPerSource !== undefined && (perSource.get(remote) ?? 0) >= deps.maxConnectionsPerSource ? 'per-source'
        : undefined;
    if (refused) {
      // Closed before a byte is read: a flood of connections costs no bind work (no scrypt, no database).
      log.warn({ remote, reason: refused, live: live.size }, 'connection refused: too many connections');
      socket.destroy();
      deps.onConnectionRefused?.(refused, remote);
      return;
    }
    perSource.set(remote, (perSource.get(remote) ?? 0) + 1);
    socket.setNoDelay(true);
    const state: Binding = { binding: false, inflight: 0, window: 1, initTimer: undefined };
    const session = new SmppSession({
      socket,
      log,
      vendor,
      maxPduLength,
      responseTimeoutMs: deps.responseTimeoutMs,
      window: 1,
      onRequest: (s, pdu) => onRequest(s, pdu, state),
      onClosed: (s) => {
        if (live.delete(s)) {
          const left = (perSource.get(remote) ?? 1) - 1;
          if (left > 0) perSource.set(remote, left);
          else perSource.delete(remote);
        }
        clearTimeout(state.initTimer);
        if (s.link !== undefined) deps.onClosed?.(s);
      },
    });
    live.add(session);
    session.log.debug({ remote: session.remoteAddress }, 'connected');
    // S34 §7.2 session_init_timer: a connection that does not bind in time is closed.
    state.initTimer = setTimeout(() => {
      if (session.state !== 'open') return;
      session.log.warn({ sessionInitS: deps.sessionInitS }, 'no bind in time; closing');
      void session.close();
    }, deps.sessionInitS * 1000);
    state.initTimer.unref();
  }

  function onRequest(session: SmppSession, pdu: DecodedPdu, state: Binding): void {
    const bindKind = BIND_KINDS[pdu.command];
    if (bindKind) {
      bind(session, pdu, bindKind, state).catch((e: unknown) => session.log.error({ err: e }, 'bind handling failed'));
      return;
    }
    if (pdu.command === 'submit_sm' || pdu.command === 'deliver_sm' || pdu.command === 'data_sm') {
      message(session, pdu, state).catch((e: unknown) => session.log.error({ err: e }, 'message handling failed'));
      return;
    }
    // S34 §2.2: in OPEN only bind_* is legal (enquire_link and unbind included).
    if (!session.bound) return session.respond(pdu, ESME.RINVBNDSTS);
    session.log.warn({ command: pdu.command, seq: pdu.sequence_number }, 'unsupported command');
    session.respond(pdu, ESME.RINVCMDID);
  }

  async function bind(session: SmppSession, pdu: DecodedPdu, bindKind: BindKind, state: Binding): Promise<void> {
    if (session.state !== 'open' || state.binding) return session.respond(pdu, ESME.RALYBND);
    state.binding = true;
    session.pause(); // nothing else is read until the bind is decided (LIBRARIES §2)
    const systemId = fieldString(pdu, 'system_id') ?? '';
    const req: AuthRequest = {
      systemId,
      password: fieldString(pdu, 'password') ?? '',
      bindKind,
      remoteAddress: session.remoteAddress,
      addressRange: fieldString(pdu, 'address_range') ?? '',
    };
    let result: AuthResult;
    try {
      result = await deps.authenticate(req);
    } catch (e) {
      session.log.error({ err: e, systemId }, 'authenticate failed; refusing the bind');
      deps.onBindRefused?.('error');
      result = { ok: false, status: ESME.RBINDFAIL };
    }
    state.binding = false;
    if (session.state !== 'open') return; // closed while we waited
    if (!result.ok) {
      const status = result.status === ESME.ROK ? ESME.RBINDFAIL : result.status;
      session.log.warn({ systemId, bindKind, status: statusName(status) }, 'bind refused');
      session.respond(pdu, status); // header-only [S34 §4.1]
      await session.close(); // PROTOCOL §1 policy: after a failed bind, the resp, then close
      return;
    }
    // Checked here, with no await between the count and markBound, so two racing binds cannot both take the last slot.
    const maxSessions = result.maxSessions ?? Infinity;
    if ([...live].filter((s) => s.bound && s.link === result.link).length >= maxSessions) {
      session.log.warn({ link: result.link, maxSessions }, 'bind refused: the link has max_sessions bound');
      deps.onBindRefused?.('sessions', result.link);
      // The same status as every other bind failure: a peer learns nothing about which check refused it.
      session.respond(pdu, ESME.RBINDFAIL);
      await session.close();
      return;
    }
    clearTimeout(state.initTimer);
    state.window = Math.max(1, result.window);
    // The link's own vendor profile from here on (issue 11: links that bind to us honour `vendor` too).
    session.markBound(bindKind, result.link, state.window, result.vendor === undefined ? undefined : vendorOf(result.vendor));
    // sc_interface_version only for 3.4 peers: 3.3 (interface_version < 0x34) has no TLVs [S34 §5.3.2.25].
    const v34 = (fieldNumber(pdu, 'interface_version') ?? 0) >= 0x34;
    session.respond(pdu, ESME.ROK, v34 ? { system_id: SYSTEM_ID, sc_interface_version: 0x34 } : { system_id: SYSTEM_ID });
    if (deps.enquireLinkS) session.startKeepalive(deps.enquireLinkS);
    try {
      deps.onBound?.(session);
    } catch (e) {
      session.log.error({ err: e }, 'onBound threw');
    }
    session.resume();
  }

  async function message(session: SmppSession, pdu: DecodedPdu, state: Binding): Promise<void> {
    if (!session.bound) return session.respond(pdu, ESME.RINVBNDSTS);
    // S34 §2.2: submit_sm and data_sm need a tx/trx bind. deliver_sm is taken from any bound session:
    // operator gateways differ in which bind they deliver MO on.
    if (pdu.command !== 'deliver_sm' && !session.canTransmit) return session.respond(pdu, ESME.RINVBNDSTS);
    const read = session.vendor.readInbound(pdu, { sessionId: session.id, link: session.link ?? '', receivedAt: now() });
    const seq = pdu.sequence_number;
    if (!read.ok) {
      session.log.warn({ command: pdu.command, seq, status: statusName(read.status), reason: read.reason }, 'message refused');
      deps.onMessageRefused?.(session.link ?? '', read.status);
      return session.respond(pdu, read.status);
    }
    state.inflight++;
    if (state.inflight >= state.window) session.pause();
    let status: number = ESME.ROK;
    try {
      await deps.onMessage(read.msg, { windowFull: state.inflight >= state.window });
      // Acked only from here: onMessage resolved, so the message is durable (STYLE: ack after durable enqueue).
    } catch (e) {
      status = statusForError(e);
      session.log.warn({ err: e, command: pdu.command, seq, status: statusName(status) }, 'message not accepted');
    } finally {
      state.inflight--;
    }
    session.log.debug({ command: pdu.command, seq, status: statusName(status) }, 'answered');
    session.respond(pdu, status, status === ESME.ROK ? { message_id: pdu.command === 'submit_sm' ? nanoid() : '' } : {});
    if (state.inflight < state.window) session.resume();
  }

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const port = (server.address() as AddressInfo).port;
          log.info({ port, host }, 'listening');
          resolve(port);
        });
      });
    },
    sessions() {
      return [...live];
    },
    async close(timeoutMs) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...live].map((s) => (s.bound ? s.unbind(timeoutMs) : s.close())));
      await stopped;
      log.info('listener closed');
    },
  };
}

/** The address a connection comes from, IPv4-mapped IPv6 folded to IPv4 (one peer, one counter). */
function sourceOf(remote: string | undefined): string {
  const r = remote ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(r);
  return mapped ? mapped[1]! : r;
}
