import { describe, expect, it } from 'vitest';
import { createRecords, LOST_WITH_SESSION, percentile, summariseLoad, type RunFacts } from '../../src/sim/load-summary.js';
import { statusName } from '../../src/smpp/status.js';

const facts: RunFacts = { window: 10, sessions: 1, rate: null, statusName, unmatched: 0, textMismatch: 0, sampleReply: null, endReason: 'complete', toolCpuPct: 0, toolLoopDelayP99Ms: 0 };

describe('summariseLoad', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 99), percentile(xs, 100), percentile([7], 99)]).toEqual([50, 99, 100, 7]);
    expect(percentile([], 50)).toBeNaN();
  });

  it('counts an accepted MO without a reply as lost, a second reply as a duplicate, a refusal by status name', () => {
    const r = createRecords(5);
    // 0: acked, one reply; 1: acked, two replies; 2: acked, none; 3: refused; 4: never answered; all sent at t = 0
    for (let k = 0; k < 5; k++) r.sentAt[k] = 0;
    r.status.set([0, 0, 0, 0x0b, LOST_WITH_SESSION]);
    r.ackAt.set([1, 3, 2, 1, NaN]);
    r.replies.set([1, 2, 0, 0, 0]);
    r.replyAt.set([10, 20, NaN, NaN, NaN]);
    const s = summariseLoad(r, facts);
    expect(s).toMatchObject({ count: 5, sent: 5, acked: 3, refused: 1, refusedByStatus: { ESME_RINVDSTADR: 1 }, unanswered: 1, replied: 2, lost: 1, duplicates: 1, extraReplies: 1 });
    expect(s.latencyMs).toMatchObject({ min: 10, p50: 10, max: 20, mean: 15 });
    // Only the acked MO have an ack latency: the refusal and the MO never answered are left out.
    expect(s.ackLatencyMs).toMatchObject({ min: 1, p50: 2, max: 3, mean: 2 });
  });

  it('measures steady throughput between the 10th and 90th percentile reply times', () => {
    const n = 1000;
    const r = createRecords(n);
    for (let k = 0; k < n; k++) {
      r.sentAt[k] = k; // one MO per ms, each answered 5 ms later: 1,000 replies/s
      r.status[k] = 0;
      r.ackAt[k] = k + 1;
      r.replies[k] = 1;
      r.replyAt[k] = k + 5;
    }
    const s = summariseLoad(r, facts);
    expect(s.throughputRps).toBe(1000);
    expect(s.latencyMs?.p99).toBe(5);
    expect(s.lost).toBe(0);
  });

  it('leaves unsent MO out of every figure', () => {
    const s = summariseLoad(createRecords(3), facts);
    expect(s).toMatchObject({ sent: 0, acked: 0, lost: 0, latencyMs: null, ackLatencyMs: null, throughputRps: 0 });
  });
});
