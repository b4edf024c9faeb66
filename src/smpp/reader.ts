/**
 * Framing, done by us rather than by node-smpp's Session reader: that reader never checks command_length < 16,
 * and on a length over its cap (or any decode throw) it emits `error`, sends nothing and stays wedged for good
 * (LIBRARIES §2). Here a frame is checked before anything decodes it, the cap is per server, and a lost frame
 * is reported once; after that the bytes are read and dropped, so closing never resets the connection under
 * the peer before it has read our generic_nack.
 */
import type { Socket } from 'node:net';
import { HEADER_LENGTH } from './pdu.js';

export interface FramingError {
  commandLength: number;
  /** The header's sequence_number when all 16 header octets had arrived, else 0 (PROTOCOL §1 policy). */
  sequenceNumber: number;
}

export interface PduReaderOptions {
  maxPduLength: number;
  /** One whole frame, command_length within [16, maxPduLength]. Must not throw. */
  onFrame(frame: Buffer): void;
  onFramingError(e: FramingError): void;
}

export interface PduReader {
  /** Stops handing out frames and stops reading the socket, so TCP pushes back on the peer. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
}

const EMPTY: Buffer = Buffer.alloc(0);

export function readFrames(socket: Socket, opts: PduReaderOptions): PduReader {
  let buffered = EMPTY;
  let paused = false;
  let lost = false;
  let draining = false;

  function drain(): void {
    if (draining) return;
    draining = true;
    try {
      while (!paused && !lost && buffered.length >= 4) {
        const length = buffered.readUInt32BE(0);
        if (length < HEADER_LENGTH || length > opts.maxPduLength) {
          lost = true;
          const sequenceNumber = buffered.length >= HEADER_LENGTH ? buffered.readUInt32BE(12) : 0;
          buffered = EMPTY;
          if (socket.isPaused()) socket.resume();
          opts.onFramingError({ commandLength: length, sequenceNumber });
          return;
        }
        if (buffered.length < length) return;
        const frame = buffered.subarray(0, length);
        buffered = buffered.length === length ? EMPTY : buffered.subarray(length);
        opts.onFrame(frame);
      }
    } finally {
      draining = false;
    }
  }

  socket.on('data', (chunk: Buffer) => {
    if (lost) return;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    drain();
  });

  return {
    pause() {
      if (paused) return;
      paused = true;
      if (!lost) socket.pause();
    },
    resume() {
      if (!paused) return;
      paused = false;
      if (!lost) socket.resume();
      // Not from inside a frame handler's stack: the frames already buffered go out on the next turn.
      setImmediate(drain);
    },
    get paused() {
      return paused;
    },
  };
}
