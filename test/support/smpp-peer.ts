/**
 * A raw SMPP peer for tests: builds PDUs byte by byte and reads them back without node-smpp or src/smpp, so a
 * test can send garbage on purpose and see exactly what came back.
 */
import { connect, type Socket } from 'node:net';

export const CMD = {
  generic_nack: 0x80000000,
  bind_receiver: 0x01,
  bind_transmitter: 0x02,
  query_sm: 0x03,
  submit_sm: 0x04,
  deliver_sm: 0x05,
  unbind: 0x06,
  bind_transceiver: 0x09,
  enquire_link: 0x15,
  data_sm: 0x103,
  bind_receiver_resp: 0x80000001,
  bind_transmitter_resp: 0x80000002,
  submit_sm_resp: 0x80000004,
  deliver_sm_resp: 0x80000005,
  unbind_resp: 0x80000006,
  bind_transceiver_resp: 0x80000009,
  enquire_link_resp: 0x80000015,
  data_sm_resp: 0x80000103,
} as const;

export interface RawPdu {
  commandLength: number;
  commandId: number;
  commandStatus: number;
  sequenceNumber: number;
  body: Buffer;
}

/** header (command_length computed) + body. */
export function rawPdu(commandId: number, seq: number, body: Buffer = Buffer.alloc(0), status = 0): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(16 + body.length, 0);
  h.writeUInt32BE(commandId >>> 0, 4);
  h.writeUInt32BE(status >>> 0, 8);
  h.writeUInt32BE(seq >>> 0, 12);
  return Buffer.concat([h, body]);
}

/** A header whose command_length says whatever you like (framing tests). */
export function rawHeader(commandLength: number, commandId: number, seq: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(commandLength >>> 0, 0);
  h.writeUInt32BE(commandId >>> 0, 4);
  h.writeUInt32BE(seq >>> 0, 12);
  return h;
}

export function cstring(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(tag, 0);
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value]);
}

/** bind_* body (the same for all three kinds): interface_version 0x34, TON/NPI 0, empty system_type and address_range. */
export function bindTransceiverBody(systemId: string, password: string): Buffer {
  return Buffer.concat([cstring(systemId), cstring(password), cstring(''), Buffer.from([0x34, 0, 0]), cstring('')]);
}

export interface PeerAddress {
  addr: string;
  ton?: number;
  npi?: number;
}

export interface SubmitSmFields {
  source: PeerAddress;
  destination: PeerAddress;
  dataCoding?: number;
  esmClass?: number;
  registeredDelivery?: number;
  serviceType?: string;
  shortMessage: Buffer;
  tlvs?: { tag: number; value: Buffer }[];
}

/** submit_sm body [S34 §4.4.1]; deliver_sm has the same layout [§4.6.1]. */
export function submitSmBody(f: SubmitSmFields): Buffer {
  return Buffer.concat([
    cstring(f.serviceType ?? ''),
    Buffer.from([f.source.ton ?? 0, f.source.npi ?? 0]),
    cstring(f.source.addr),
    Buffer.from([f.destination.ton ?? 0, f.destination.npi ?? 0]),
    cstring(f.destination.addr),
    Buffer.from([f.esmClass ?? 0, 0, 0]), // esm_class, protocol_id, priority_flag
    cstring(''), // schedule_delivery_time
    cstring(''), // validity_period
    Buffer.from([f.registeredDelivery ?? 0, 0, f.dataCoding ?? 0, 0, f.shortMessage.length]),
    f.shortMessage,
    ...(f.tlvs ?? []).map((t) => tlv(t.tag, t.value)),
  ]);
}

/** The C-Octet String at offset (e.g. message_id at 0 in a submit_sm_resp body). */
export function readCString(body: Buffer, offset = 0): string {
  const end = body.indexOf(0, offset);
  return body.toString('latin1', offset, end < 0 ? body.length : end);
}

export interface PduStream extends AsyncIterable<RawPdu> {
  /** The next PDU; rejects after timeoutMs, or when the socket closes with nothing left to read. */
  next(timeoutMs?: number): Promise<RawPdu>;
  /** Resolves when the peer closed the connection. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

/** Collects the PDUs arriving on a socket (framing by command_length, no checks). */
export function readPdus(socket: Socket): PduStream {
  const queue: RawPdu[] = [];
  const waiters: { resolve(p: RawPdu): void; reject(e: Error): void }[] = [];
  let buffered = Buffer.alloc(0);
  let closed = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));

  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 16) {
      const len = buffered.readUInt32BE(0);
      if (len < 16 || buffered.length < len) break;
      const pdu: RawPdu = {
        commandLength: len,
        commandId: buffered.readUInt32BE(4),
        commandStatus: buffered.readUInt32BE(8),
        sequenceNumber: buffered.readUInt32BE(12),
        body: buffered.subarray(16, len),
      };
      buffered = buffered.subarray(len);
      const w = waiters.shift();
      if (w) w.resolve(pdu);
      else queue.push(pdu);
    }
  });
  const onClose = () => {
    if (closed) return;
    closed = true;
    resolveClosed();
    for (const w of waiters.splice(0)) w.reject(new Error('socket closed'));
  };
  socket.on('close', onClose);
  socket.on('end', onClose);
  socket.on('error', () => {}); // a reset is an outcome the test looks at, not a crash

  function next(timeoutMs = 3000): Promise<RawPdu> {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    if (closed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (p: RawPdu) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`no PDU within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(w);
    });
  }

  return {
    next,
    closed: closedPromise,
    isClosed: () => closed,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        try {
          yield await next();
        } catch {
          return;
        }
      }
    },
  };
}

export function connectRaw(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export interface RawSession {
  socket: Socket;
  pdus: PduStream;
  /** The bind response. */
  resp: RawPdu;
}

/** Connects and sends one bind (transceiver unless told), returning the response whatever its status. */
export async function bindRaw(port: number, systemId: string, password: string, commandId: number = CMD.bind_transceiver): Promise<RawSession> {
  const socket = await connectRaw(port);
  const pdus = readPdus(socket);
  socket.write(rawPdu(commandId, 1, bindTransceiverBody(systemId, password)));
  const resp = await pdus.next();
  return { socket, pdus, resp };
}
