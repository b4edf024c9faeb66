/**
 * `scgw sim load` and the bench's driver: N subscribers (msisdnBase + k) each text the gateway once, at most
 * `window` MO per session awaiting their submit_sm_resp, optionally paced to `rate` MO/s; each reply is matched
 * to its MO by the number it goes to. Window semantics as in smpp-load: the window bounds MO awaiting their
 * response, not their reply, so a gateway that acks faster than it replies builds a queue and latency then
 * measures that queue (use `rate` to measure below saturation).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { statusName } from '../smpp/status.js';
import { createRecords, LOST_WITH_SESSION, summariseLoad, type EndReason, type LoadResult } from './load-summary.js';
import { createPhoneNetwork, type PhoneNetwork, type ReceivedSms } from './phone.js';

export type { LoadResult } from './load-summary.js';

export interface LoadOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  count: number;
  /** MO awaiting their submit_sm_resp, per session. */
  window: number;
  /** MO per second over all sessions; 0 or absent: no cap. */
  rate?: number;
  to?: string;
  text?: string;
  ucs2?: boolean;
  /** MO k comes from msisdnBase + k. Vary it between runs against a gateway that keeps per-number state (rate caps). */
  msisdnBase?: number;
  /** Replies whose text does not match are counted (textMismatch). */
  expect?: RegExp;
  /** Hard limit for the whole run, in seconds. */
  timeoutS?: number;
  /** Once every MO is answered: stop waiting for replies when nothing arrived for this long, in seconds. */
  idleS?: number;
  /** After the last awaited reply, keep counting late duplicates for this long. */
  lingerMs?: number;
  sessions?: number;
  responseTimeoutMs?: number;
  log?: Logger;
  /** Called about five times a second, and once at the end. */
  onProgress?(p: LoadProgress): void;
}

export interface LoadProgress {
  count: number;
  sent: number;
  acked: number;
  refused: number;
  replied: number;
  elapsedMs: number;
}

export const DEFAULT_MSISDN_BASE = 79_000_000_000;
const LOOP_RESOLUTION_MS = 10;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const count = o.count;
  const base = o.msisdnBase ?? DEFAULT_MSISDN_BASE;
  const window = Math.max(1, o.window);
  const rate = o.rate && o.rate > 0 ? o.rate : null;
  const rec = createRecords(count);
  const sendOpts = o.ucs2 ? { encoding: 'ucs2' as const } : {};
  const to = o.to ?? '232';
  const text = o.text ?? 'ON';
  let unmatched = 0, textMismatch = 0, sampleReply: string | null = null;
  let sent = 0, acked = 0, refused = 0, replied = 0, awaitingReply = 0;
  let lastActivity = performance.now();
  let wake: (() => void) | undefined;

  const onSms = (sms: ReceivedSms) => {
    const now = performance.now();
    lastActivity = now;
    const k = Number(sms.to) - base;
    if (!Number.isInteger(k) || k < 0 || k >= count || Number.isNaN(rec.sentAt[k])) {
      unmatched++;
      return;
    }
    sampleReply ??= sms.text;
    if (o.expect && !o.expect.test(sms.text)) textMismatch++;
    if ((rec.replies[k] as number) === 0) {
      rec.replyAt[k] = now;
      replied++;
      if (rec.status[k] === 0) awaitingReply--;
    }
    rec.replies[k] = (rec.replies[k] as number) + 1;
    wake?.();
  };

  const nets: PhoneNetwork[] = Array.from({ length: Math.max(1, o.sessions ?? 1) }, () => createPhoneNetwork({
    host: o.host, port: o.port, systemId: o.systemId, password: o.password, window,
    responseTimeoutMs: o.responseTimeoutMs ?? 30_000, onSms, ...(o.log ? { log: o.log } : {}),
  }));
  try {
    await Promise.all(nets.map((n) => n.connect()));
  } catch (e) {
    await Promise.allSettled(nets.map((n) => n.close()));
    throw e;
  }

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let stopped = false;

  async function pump(net: PhoneNetwork): Promise<void> {
    let inflight = 0;
    let freed: (() => void) | undefined;
    const slot = () => new Promise<void>((r) => (freed = r));
    while (!stopped && next < count) {
      if (inflight >= window) {
        await slot();
        continue;
      }
      const k = next++;
      if (rate) {
        const ahead = t0 + (k * 1000) / rate - performance.now();
        if (ahead > 1) await sleep(ahead);
        if (stopped) break;
      }
      inflight++;
      sent++;
      rec.sentAt[k] = performance.now();
      net.send(String(base + k), to, text, sendOpts).then(
        (results) => {
          const status = results.find((r) => r.status !== 0)?.status ?? 0;
          rec.status[k] = status;
          rec.ackAt[k] = performance.now();
          if (status !== 0) refused++;
          else {
            acked++;
            if ((rec.replies[k] as number) === 0) awaitingReply++;
          }
        },
        () => { rec.status[k] = LOST_WITH_SESSION; },
      ).finally(() => {
        inflight--;
        lastActivity = performance.now();
        const f = freed;
        freed = undefined;
        f?.();
      });
    }
    while (inflight > 0) await slot();
  }

  const progress = (): LoadProgress => ({ count, sent, acked, refused, replied, elapsedMs: performance.now() - t0 });
  const ticker = o.onProgress ? setInterval(() => o.onProgress?.(progress()), 200) : undefined;
  let pumpsDone = false;
  const pumps = Promise.all(nets.map(pump)).then(() => { pumpsDone = true; wake?.(); });

  const endReason = await new Promise<EndReason>((resolve) => {
    const finish = (reason: EndReason) => {
      clearTimeout(hard);
      clearInterval(idle);
      wake = undefined;
      resolve(reason);
    };
    const hard = setTimeout(() => finish('timeout'), (o.timeoutS ?? 120) * 1000);
    const idle = setInterval(() => {
      if (pumpsDone && performance.now() - lastActivity > (o.idleS ?? 10) * 1000) finish('idle');
    }, 100);
    wake = () => { if (pumpsDone && awaitingReply === 0) finish('complete'); };
    wake();
  });
  if (endReason === 'complete') await sleep(o.lingerMs ?? 300);
  stopped = true;
  clearInterval(ticker);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  loopDelay.disable();
  await Promise.allSettled(nets.map((n) => n.close()));
  await pumps;
  o.onProgress?.(progress());
  return summariseLoad(rec, {
    window, sessions: nets.length, rate, statusName, unmatched, textMismatch, sampleReply, endReason,
    toolCpuPct: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
    toolLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
