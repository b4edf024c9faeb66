/**
 * `scgw sim send`: one subscriber texts the gateway once and waits for the reply. Every way it can go is a
 * value (the command turns each into a message and an exit code): the gateway unreachable, the bind refused,
 * the MO refused or unanswered, no reply in time, or the replies the phone received.
 */
import type { Logger } from '../log.js';
import { SmppStatusError, statusName } from '../smpp/status.js';
import { createPhoneNetwork, type ReceivedSms } from './phone.js';

export interface SendOneOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  from: string;
  to: string;
  text: string;
  ucs2?: boolean;
  /** How long to wait for the reply once the MO is accepted, in seconds (also bounds connect and bind). */
  timeoutS: number;
  /** After the first reply, how long to keep listening for more (a duplicate would show up here). */
  lingerMs?: number;
  log?: Logger;
}

export type SendOneOutcome =
  | { ok: true; replies: ReceivedSms[]; latencyMs: number; moSegments: number }
  | { ok: false; reason: 'unreachable'; message: string }
  | { ok: false; reason: 'bind-refused'; status: number; statusName: string }
  | { ok: false; reason: 'mo-refused'; status: number; statusName: string }
  | { ok: false; reason: 'mo-unanswered'; message: string }
  | { ok: false; reason: 'no-reply'; timeoutS: number };

export async function sendOne(o: SendOneOptions): Promise<SendOneOutcome> {
  const timeoutMs = Math.max(100, o.timeoutS * 1000);
  const net = createPhoneNetwork({
    host: o.host, port: o.port, systemId: o.systemId, password: o.password, window: 1,
    responseTimeoutMs: Math.min(timeoutMs, 10_000), ...(o.log ? { log: o.log } : {}),
  });
  try {
    try {
      await net.connect();
    } catch (e) {
      if (e instanceof SmppStatusError) return { ok: false, reason: 'bind-refused', status: e.status, statusName: statusName(e.status) };
      return { ok: false, reason: 'unreachable', message: (e as Error).message };
    }
    const started = Date.now();
    let results;
    try {
      results = await net.send(o.from, o.to, o.text, o.ucs2 ? { encoding: 'ucs2' } : {});
    } catch (e) {
      return { ok: false, reason: 'mo-unanswered', message: (e as Error).message };
    }
    const refused = results.find((r) => r.status !== 0);
    if (refused) return { ok: false, reason: 'mo-refused', status: refused.status, statusName: statusName(refused.status) };
    let first: ReceivedSms;
    try {
      [first] = (await net.waitFor(o.from, 1, Math.max(1, timeoutMs - (Date.now() - started)))) as [ReceivedSms];
    } catch {
      return { ok: false, reason: 'no-reply', timeoutS: o.timeoutS };
    }
    await new Promise((r) => setTimeout(r, o.lingerMs ?? 250));
    return { ok: true, replies: net.inbox(o.from), latencyMs: first.receivedAt - started, moSegments: results.length };
  } finally {
    await net.close();
  }
}
