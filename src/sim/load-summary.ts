/**
 * The figures of one `scgw sim load` run, from its per-MO records: pure, so the bench and the CLI report
 * the same numbers. Definitions follow smpp-load's (../shared/tools/README.md "Output") so the two tools'
 * results can be read side by side: throughput is replies/s between the 10th and 90th percentile reply
 * times; latency runs from writing the MO to receiving the (last part of the) first reply.
 */

/** MO k's state: -1 no response yet, -2 no response ever (timed out, or the session closed first), else command_status. */
export const NO_RESPONSE = -1;
export const LOST_WITH_SESSION = -2;

export interface MoRecords {
  /** performance.now() when MO k was written; NaN while unsent. */
  sentAt: Float64Array;
  ackAt: Float64Array;
  status: Int32Array;
  /** When MO k's subscriber got its first reply; NaN while none. */
  replyAt: Float64Array;
  replies: Uint32Array;
}

export function createRecords(count: number): MoRecords {
  return {
    sentAt: new Float64Array(count).fill(NaN),
    ackAt: new Float64Array(count).fill(NaN),
    status: new Int32Array(count).fill(NO_RESPONSE),
    replyAt: new Float64Array(count).fill(NaN),
    replies: new Uint32Array(count),
  };
}

export interface LatencySummary {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export type EndReason = 'complete' | 'idle' | 'timeout';

export interface LoadResult {
  count: number;
  window: number;
  sessions: number;
  rate: number | null;
  /** MO written to a session. */
  sent: number;
  /** MO answered with status 0. */
  acked: number;
  /** MO answered with a non-zero status, and by status name. */
  refused: number;
  refusedByStatus: Record<string, number>;
  /** MO never answered (response timeout, or the session closed first). */
  unanswered: number;
  /** Subscribers with at least one reply. */
  replied: number;
  /** Accepted MO whose subscriber had no reply by the end. */
  lost: number;
  /** Subscribers with more than one reply, and how many replies beyond the first. */
  duplicates: number;
  extraReplies: number;
  /** Replies to numbers this run never texted (or texted but never sent). */
  unmatched: number;
  /** With `expect`: replies whose text does not match it. */
  textMismatch: number;
  sampleReply: string | null;
  latencyMs: LatencySummary | null;
  /** MO → its response (deliver_sm_resp), of the acked MO: what a window waits on. */
  ackLatencyMs: LatencySummary | null;
  throughputRps: number;
  replyRateOverallRps: number;
  moAcceptRateRps: number;
  durationS: number;
  endReason: EndReason;
  /** The load generator's own CPU (% of one core) and event-loop lag: when high, the tool may be the limit. */
  toolCpuPct: number;
  toolLoopDelayP99Ms: number;
}

export interface RunFacts {
  window: number;
  sessions: number;
  rate: number | null;
  statusName(status: number): string;
  unmatched: number;
  textMismatch: number;
  sampleReply: string | null;
  endReason: EndReason;
  toolCpuPct: number;
  toolLoopDelayP99Ms: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summariseLoad(r: MoRecords, facts: RunFacts): LoadResult {
  const count = r.sentAt.length;
  let sent = 0, acked = 0, refused = 0, unanswered = 0, replied = 0, lost = 0, duplicates = 0, extraReplies = 0;
  const refusedByStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  const replyTimes: number[] = [];
  let firstSent = Infinity, lastAck = -Infinity, lastReply = -Infinity;
  for (let k = 0; k < count; k++) {
    const sentAt = r.sentAt[k] as number;
    if (Number.isNaN(sentAt)) continue;
    sent++;
    firstSent = Math.min(firstSent, sentAt);
    const status = r.status[k] as number;
    if (status === 0) {
      acked++;
      lastAck = Math.max(lastAck, r.ackAt[k] as number);
      ackLatencies.push((r.ackAt[k] as number) - sentAt);
    } else if (status > 0) {
      refused++;
      const name = facts.statusName(status);
      refusedByStatus[name] = (refusedByStatus[name] ?? 0) + 1;
    } else {
      unanswered++;
    }
    const n = r.replies[k] as number;
    if (n > 0) {
      replied++;
      const at = r.replyAt[k] as number;
      latencies.push(at - sentAt);
      replyTimes.push(at);
      lastReply = Math.max(lastReply, at);
    } else if (status === 0) {
      lost++;
    }
    if (n > 1) {
      duplicates++;
      extraReplies += n - 1;
    }
  }
  latencies.sort((a, b) => a - b);
  ackLatencies.sort((a, b) => a - b);
  replyTimes.sort((a, b) => a - b);
  return {
    count, window: facts.window, sessions: facts.sessions, rate: facts.rate,
    sent, acked, refused, refusedByStatus, unanswered, replied, lost, duplicates, extraReplies,
    unmatched: facts.unmatched, textMismatch: facts.textMismatch, sampleReply: facts.sampleReply,
    latencyMs: summariseLatency(latencies),
    ackLatencyMs: summariseLatency(ackLatencies),
    throughputRps: steadyRate(replyTimes),
    replyRateOverallRps: replied > 0 && lastReply > firstSent ? round((replied * 1000) / (lastReply - firstSent)) : 0,
    moAcceptRateRps: acked > 0 && lastAck > firstSent ? round((acked * 1000) / (lastAck - firstSent)) : 0,
    durationS: replied > 0 ? round((lastReply - firstSent) / 1000, 3) : 0,
    endReason: facts.endReason,
    toolCpuPct: round(facts.toolCpuPct, 1),
    toolLoopDelayP99Ms: round(facts.toolLoopDelayP99Ms, 2),
  };
}

function summariseLatency(sorted: number[]): LatencySummary | null {
  if (sorted.length === 0) return null;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    min: round(sorted[0] as number, 2), p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2),
    p99: round(percentile(sorted, 99), 2), max: round(sorted[sorted.length - 1] as number, 2), mean: round(mean, 2),
  };
}

/** Replies/s between the 10th and 90th percentile reply times: start-up and tail left out, as smpp-load does. */
function steadyRate(replyTimes: number[]): number {
  const n = replyTimes.length;
  if (n < 2) return 0;
  const i10 = Math.floor(n * 0.1), i90 = Math.ceil(n * 0.9) - 1;
  const span = (replyTimes[i90] as number) - (replyTimes[i10] as number);
  if (span <= 0 || i90 <= i10) return 0;
  return round(((i90 - i10) * 1000) / span);
}

function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
