/**
 * One live SMPP session over one socket, server or client side. It frames (reader.ts), decodes and encodes
 * through pdu.ts (node-smpp's codec), answers what every session answers the same way (enquire_link and
 * unbind once bound, unknown command_id, generic_nack received) and hands every other request to its owner.
 * Our own requests go through a window with a response timer. Nothing thrown inside a socket event escapes.
 * A message that gets no response in time makes the session suspect (liveness.ts); callers that can choose
 * another session (the mt worker) skip suspect ones and wait on onRoom() instead of on a full window.
 */
import type { Socket } from 'node:net';
import { nanoid } from 'nanoid';
import { ScgwError } from '../errors.js';
import type { Logger } from '../log.js';
import { GENERIC_NACK, decodePdu, encodePdu, fieldString, headerOnly, isResponseId, responseIdFor, type DecodedPdu, type PduFields } from './pdu.js';
import { readFrames, type FramingError, type PduReader } from './reader.js';
import { ESME, SmppStatusError, statusName } from './status.js';
import type { BindKind, OutboundPdu, SendResult } from './types.js';
import type { VendorProfile } from './vendors/index.js';
import { Liveness } from './liveness.js';
import { RequestWindow } from './window.js';

export type SessionState = 'open' | 'bound' | 'unbinding' | 'closing' | 'closed';

export interface SessionDeps {
  socket: Socket;
  log: Logger;
  vendor: VendorProfile;
  maxPduLength: number;
  responseTimeoutMs: number;
  /** Our outstanding submit_sm / deliver_sm; the bind may change it (markBound). */
  window: number;
  /** Every request the session does not answer itself. A throw is caught, logged and answered ESME_RSYSERR. */
  onRequest(session: SmppSession, pdu: DecodedPdu): void;
  onClosed?(session: SmppSession): void;
}

/** After our FIN, how long the peer gets to close its side before we destroy the socket. */
const CLOSE_GRACE_MS = 1000;
const MAX_SEQUENCE = 0x7fffffff; // S34 §5.1.4: 1…0x7FFFFFFF, then wrap to 1

export class SmppSession {
  readonly id: string = nanoid();
  readonly remoteAddress: string;
  readonly #deps: SessionDeps;
  readonly #socket: Socket;
  readonly #reader: PduReader;
  readonly #window: RequestWindow<DecodedPdu>;
  /** bind, enquire_link, unbind: never wait behind a full window of messages. */
  readonly #control: RequestWindow<DecodedPdu>;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;
  #log: Logger;
  #state: SessionState = 'open';
  #corked = false;
  #link: string | undefined;
  #bindKind: BindKind | undefined;
  #sequence = 0;
  #lastReceivedAt = Date.now();
  #graceTimer: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  /** Our bind_resp arrived and reading stopped behind it until the owner calls markBound() or close(). */
  #heldForBind = false;
  /** The link's vendor profile: the owner's default until the bind names the link (markBound). */
  #vendor: VendorProfile;
  readonly #liveness: Liveness;

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.#vendor = deps.vendor;
    this.#socket = deps.socket;
    this.remoteAddress = deps.socket.remoteAddress ?? '';
    this.#log = deps.log.child({ session: this.id });
    this.#liveness = new Liveness({
      log: () => this.#log,
      probe: (timeoutMs) => this.request('enquire_link', {}, timeoutMs),
      bound: () => this.#state === 'bound',
      close: () => void this.close(),
    });
    this.#window = new RequestWindow({
      size: deps.window,
      timeoutMs: deps.responseTimeoutMs,
      onRoom: () => this.#liveness.notify(),
      // Suspect before the slot frees: a job woken by that slot must not send into the silent session again.
      onTimeout: (timeoutMs) => this.#liveness.timedOut(timeoutMs),
    });
    this.#control = new RequestWindow({ size: Infinity, timeoutMs: deps.responseTimeoutMs });
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    // LIBRARIES §2: an unhandled socket error (a peer's RST included) kills the process.
    this.#socket.on('error', (e) => this.#onSocketError(e));
    this.#socket.on('close', () => this.#onSocketClose());
    this.#reader = readFrames(this.#socket, {
      maxPduLength: deps.maxPduLength,
      onFrame: (frame) => this.#onFrame(frame),
      onFramingError: (e) => this.#onFramingError(e),
    });
  }

  get state(): SessionState {
    return this.#state;
  }

  get link(): string | undefined {
    return this.#link;
  }

  get bindKind(): BindKind | undefined {
    return this.#bindKind;
  }

  get bound(): boolean {
    return this.#state === 'bound';
  }

  /** Bound receiver or transceiver: deliver_sm may go to the ESME [S34 §2.2]. */
  get canReceive(): boolean {
    return this.bound && (this.#bindKind === 'receiver' || this.#bindKind === 'transceiver');
  }

  /** Bound transmitter or transceiver: the ESME may submit_sm. */
  get canTransmit(): boolean {
    return this.bound && (this.#bindKind === 'transmitter' || this.#bindKind === 'transceiver');
  }

  get log(): Logger {
    return this.#log;
  }

  /** One of our messages went unanswered and no response has arrived since; an enquire_link probe decides. */
  get suspect(): boolean {
    return this.#liveness.suspect;
  }

  /** A message sent now takes a window slot at once (it may still be refused for the bind state). */
  get hasRoom(): boolean {
    return this.#window.hasRoom;
  }

  /**
   * Calls cb whenever a message may have become sendable without waiting: a window slot freed, the suspicion
   * set or cleared, the session ending. Returns the unsubscribe; a waiter must call it (no promise left behind).
   */
  onRoom(cb: () => void): () => void {
    return this.#liveness.subscribe(cb);
  }

  /** How this session reads and shapes message PDUs: its link's vendor profile once bound. */
  get vendor(): VendorProfile {
    return this.#vendor;
  }

  markBound(bindKind: BindKind, link: string, window?: number, vendor?: VendorProfile): void {
    if (vendor) this.#vendor = vendor;
    this.#state = 'bound';
    this.#bindKind = bindKind;
    this.#link = link;
    if (this.#log.bindings().link !== link) this.#log = this.#log.child({ link });
    if (window !== undefined) this.#window.resize(window);
    this.#log.info({ bindKind, remote: this.remoteAddress }, 'bound');
    if (this.#heldForBind) {
      this.#heldForBind = false;
      this.resume(); // what arrived behind bind_resp is read now, in the bound state
    }
  }

  /** Stop/start reading PDUs; the socket stops too, so TCP pushes back on the peer (LIBRARIES §2 flow control). */
  pause(): void {
    this.#reader.pause();
  }

  resume(): void {
    this.#reader.resume();
  }

  /**
   * Sends a message and waits for its response through the window. Resolves with the response's status,
   * non-zero included; rejects SCGW_SMPP_TIMEOUT / SCGW_SMPP_CLOSED / SCGW_SMPP_MALFORMED, or SCGW_SMPP_STATUS
   * (SmppStatusError) for a generic_nack or a bind that does not allow this direction. timeoutMs is this
   * message's response timer (default: the session's); when it runs out the session becomes suspect.
   * The window slot is taken synchronously when hasRoom was true.
   */
  async send(command: 'deliver_sm' | 'submit_sm', pdu: OutboundPdu, timeoutMs?: number): Promise<SendResult> {
    if (command === 'deliver_sm' ? !this.canReceive : !this.canTransmit) {
      throw new SmppStatusError(ESME.RINVBNDSTS, `${command} on a ${this.#bindKind ?? 'unbound'} session`);
    }
    const fields = this.#vendor.shapeOutbound(pdu);
    const resp = await this.#request(command, fields, this.#window, timeoutMs);
    return { status: resp.command_status, messageId: fieldString(resp, 'message_id') ?? '' };
  }

  /** A control request outside the window (a bind, an enquire_link); resolves with the response PDU. */
  request(command: string, fields: PduFields = {}, timeoutMs?: number): Promise<DecodedPdu> {
    return this.#request(command, fields, this.#control, timeoutMs);
  }

  /** Answers a request: header-only with a non-zero status [S34 §4.1.2 note], else the _resp with these fields. */
  respond(req: DecodedPdu, status: number, fields: PduFields = {}): void {
    const respId = responseIdFor(req.command_id);
    if (respId === undefined) return; // alert_notification, outbind: no response exists
    if (status !== ESME.ROK) {
      this.#write(headerOnly(respId, status, req.sequence_number));
      return;
    }
    try {
      this.#write(encodePdu(`${req.command}_resp`, req.sequence_number, fields));
    } catch (e) {
      this.#log.error({ err: e, command: req.command }, 'cannot encode response; answering ESME_RSYSERR');
      this.#write(headerOnly(respId, ESME.RSYSERR, req.sequence_number));
    }
  }

  nack(status: number, sequenceNumber: number): void {
    this.#write(headerOnly(GENERIC_NACK, status, sequenceNumber));
  }

  /** Sends enquire_link whenever nothing arrived for periodS; no answer within the response timeout closes the session. */
  startKeepalive(periodS: number): void {
    clearInterval(this.#keepalive);
    const periodMs = periodS * 1000;
    this.#keepalive = setInterval(() => {
      if (!this.bound || Date.now() - this.#lastReceivedAt < periodMs) return;
      this.request('enquire_link').catch((e: unknown) => {
        if (this.#state === 'closed' || this.#state === 'closing') return;
        this.#log.warn({ err: e }, 'enquire_link unanswered; closing the session');
        void this.close();
      });
    }, periodMs);
    this.#keepalive.unref();
  }

  /** Sends unbind, waits for unbind_resp or timeoutMs, then closes. Nothing new is sent meanwhile. */
  async unbind(timeoutMs: number): Promise<void> {
    if (this.#state === 'bound') {
      this.#state = 'unbinding';
      try {
        await this.#request('unbind', {}, this.#control, timeoutMs);
      } catch (e) {
        this.#log.debug({ err: e }, 'unbind not answered');
      }
    }
    await this.close();
  }

  /** Ends the socket (FIN after anything already written), rejects every pending request, resolves once closed. */
  close(): Promise<void> {
    if (this.#state !== 'closed' && this.#state !== 'closing') {
      this.#state = 'closing';
      this.#failAll();
      this.#socket.end();
      this.#graceTimer = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS);
      this.#graceTimer.unref();
    }
    return this.#closed;
  }

  async #request(command: string, fields: PduFields, lane: RequestWindow<DecodedPdu>, timeoutMs?: number): Promise<DecodedPdu> {
    const sendable = this.#state === 'open' || this.#state === 'bound' || (this.#state === 'unbinding' && command === 'unbind');
    if (!sendable) throw new ScgwError('SCGW_SMPP_CLOSED', `${command} on a session that is ${this.#state}`);
    await lane.acquire();
    let frame: Buffer;
    const seq = this.#nextSequence();
    try {
      frame = encodePdu(command, seq, fields);
    } catch (e) {
      lane.release();
      throw e;
    }
    if (!this.#writable()) {
      lane.release();
      throw new ScgwError('SCGW_SMPP_CLOSED', `${command}: the session closed`);
    }
    const response = lane.track(seq, timeoutMs);
    this.#coalescedWrite(frame);
    this.#log.debug({ command, seq }, 'sent');
    return response;
  }

  #onFrame(frame: Buffer): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#lastReceivedAt = Date.now();
    const decoded = decodePdu(frame);
    if (!decoded.ok) {
      // Framing is intact, the body is not: answer that command and keep the session [Wiki-SMPP; PROTOCOL §1].
      const { commandId, sequenceNumber: seq, status, reason } = decoded;
      this.#log.warn({ commandId: commandId.toString(16), seq, status: statusName(status), reason }, 'undecodable PDU body');
      if (isResponseId(commandId)) this.#failPending(seq, new ScgwError('SCGW_SMPP_MALFORMED', `undecodable response: ${reason}`));
      else {
        const respId = responseIdFor(commandId);
        if (respId !== undefined) this.#write(headerOnly(respId, status, seq));
      }
      return;
    }
    const pdu = decoded.pdu;
    try {
      this.#dispatch(pdu);
    } catch (e) {
      this.#log.error({ err: e, command: pdu.command }, 'request handler threw');
      if (!isResponseId(pdu.command_id)) this.respond(pdu, ESME.RSYSERR);
    }
  }

  #dispatch(pdu: DecodedPdu): void {
    const seq = pdu.sequence_number;
    if (pdu.command === 'unknown') {
      this.#log.warn({ commandId: pdu.command_id.toString(16), seq }, 'unknown command_id');
      // A generic_nack is a response to a request; an unknown *response* gets none [S34 §4.3].
      if (!isResponseId(pdu.command_id)) this.nack(ESME.RINVCMDID, seq);
      return;
    }
    if (pdu.command === 'generic_nack') {
      this.#liveness.answered(); // a refusal, but an answer
      const err = new SmppStatusError(pdu.command_status, `generic_nack ${statusName(pdu.command_status)}`);
      if (!this.#failPending(seq, err)) this.#log.warn({ seq, status: statusName(pdu.command_status) }, 'generic_nack for no outstanding request');
      return;
    }
    if (isResponseId(pdu.command_id)) {
      this.#liveness.answered();
      if (this.#state === 'open' && pdu.command.startsWith('bind_') && this.#control.has(seq)) {
        // The SMSC may send anything right behind bind_resp, often in the same read, before our owner has seen
        // the bind succeed [S34 §2.2: it is bound once bind_resp is sent]. Reading stops here until markBound()
        // (or close), so enquire_link, deliver_sm, unbind... all meet the bound state, never ESME_RINVBNDSTS.
        this.#heldForBind = true;
        this.pause();
      }
      if (!this.#window.settle(seq, pdu) && !this.#control.settle(seq, pdu)) {
        this.#log.debug({ command: pdu.command, seq }, 'response for no outstanding request (late or foreign)');
      }
      return;
    }
    if (this.#state === 'bound' || this.#state === 'unbinding') {
      if (pdu.command === 'enquire_link') return this.respond(pdu, ESME.ROK);
      if (pdu.command === 'unbind') {
        this.respond(pdu, ESME.ROK);
        this.#log.info('peer unbound');
        void this.close();
        return;
      }
    }
    this.#deps.onRequest(this, pdu);
  }

  #onFramingError(e: FramingError): void {
    // PROTOCOL §1 policy (after Kannel): framing is lost, so nack RINVCMDLEN and close this session only.
    this.#log.warn({ commandLength: e.commandLength, seq: e.sequenceNumber }, 'invalid command_length; closing the session');
    this.nack(ESME.RINVCMDLEN, e.sequenceNumber);
    void this.close();
  }

  #onSocketError(e: Error): void {
    this.#log.warn({ err: e }, 'socket error');
    if (this.#writable()) this.nack(ESME.RSYSERR, 0);
    this.#socket.destroy();
  }

  #onSocketClose(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#graceTimer);
    clearInterval(this.#keepalive);
    this.#failAll();
    this.#log.info('session closed');
    this.#resolveClosed();
    try {
      this.#deps.onClosed?.(this);
    } catch (e) {
      this.#log.error({ err: e }, 'onClosed threw');
    }
  }

  #failAll(): void {
    const err = new ScgwError('SCGW_SMPP_CLOSED', 'the session closed with this request outstanding');
    this.#window.close(err);
    this.#control.close(err);
    this.#liveness.notify();
  }

  #failPending(seq: number, err: Error): boolean {
    return this.#window.fail(seq, err) || this.#control.fail(seq, err);
  }

  #nextSequence(): number {
    this.#sequence = this.#sequence >= MAX_SEQUENCE ? 1 : this.#sequence + 1;
    return this.#sequence;
  }

  #writable(): boolean {
    return this.#socket.writable && !this.#socket.destroyed;
  }

  #write(frame: Buffer): boolean {
    if (!this.#writable()) return false;
    this.#coalescedWrite(frame);
    return true;
  }

  /**
   * PDUs written in one tick leave in one writev: under load a window of responses and deliver_sm costs one
   * system call instead of one each (syscalls dominate the gateway's CPU on small VMs).
   */
  #coalescedWrite(frame: Buffer): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(frame);
  }
}
