/** Helpers for the hostile-peer tests: metric reads and binds from a chosen loopback source address. */
import { connect, type Socket } from 'node:net';
import type { Gateway } from '../../src/gateway.js';
import { CMD, bindTransceiverBody, rawPdu, readPdus, type PduStream, type RawPdu } from '../support/smpp-peer.js';

/** The value of one counter/gauge series (0 when the metric or the series does not exist). */
export async function metric(gw: Gateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = gw.metrics.registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A TCP connection from `from` (any 127.0.0.0/8 address works on Linux loopback). */
export function connectFrom(port: number, from = '127.0.0.1'): Promise<{ socket: Socket; pdus: PduStream }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({ socket, pdus: readPdus(socket) });
    });
  });
}

export interface Bound { socket: Socket; pdus: PduStream; resp: RawPdu }

/** One bind_transceiver from `from`; the response, whatever its status (rejects if the socket closes first). */
export async function bindFrom(port: number, systemId: string, password: string, from = '127.0.0.1', timeoutMs = 15_000, commandId: number = CMD.bind_transceiver): Promise<Bound> {
  const c = await connectFrom(port, from);
  c.socket.write(rawPdu(commandId, 1, bindTransceiverBody(systemId, password)));
  const resp = await c.pdus.next(timeoutMs);
  return { ...c, resp };
}

/** Binds, expects a refusal, waits for the close the refusal brings, returns the status. */
export async function refusedStatus(port: number, systemId: string, password: string, from = '127.0.0.1'): Promise<number> {
  const b = await bindFrom(port, systemId, password, from);
  if (b.resp.commandStatus !== 0) await b.pdus.closed;
  b.socket.destroy();
  return b.resp.commandStatus;
}
