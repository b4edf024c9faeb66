/** The chaos bar's rule for repeated replies: a repeat is excused only by a kill -9 or a cut between its copies. */
import { describe, expect, it } from 'vitest';
import type { MoRecord } from '../../scripts/chaos/peer.js';
import { summarise, type FaultWindow } from '../../scripts/chaos/report.js';

function rec(k: number, replies: Array<[string, number]>): MoRecord {
  return { k, msisdn: String(k), attempts: 1, firstSentAt: k, ackAt: k, refusals: 0, replies: replies.map(([t]) => t), replyAts: replies.map(([, at]) => at), firstReplyAt: replies[0]?.[1] ?? null };
}

function run(records: MoRecord[], windows: FaultWindow[]) {
  const actions = new Map(records.map((r) => [r.msisdn, 1]));
  const empty = { waiting: 0, active: 0, delayed: 0, failed: 0 };
  return summarise({
    records, windows, actions, exits: [], window: 1, logDir: '/tmp',
    leftovers: { mo: empty, mt: empty, outboxUnsent: 0, unrelayed: 0, queuedSources: new Set() } as never,
    peer: { disconnects: [], refusedByStatus: new Map(), unmatchedReplies: 0 } as never,
  });
}

// MO 0–1 before the faults, 2–3 in a pg-restart (1000–2000), 4–5 in a net-cut (3000–4000).
const windows: FaultWindow[] = [
  { kind: 'pg-restart', start: 1000, end: 1500, kStart: 2, backlogFrom: 2, kEnd: 4 },
  { kind: 'net-cut', start: 3000, end: 3500, kStart: 4, backlogFrom: 4, kEnd: 6 },
];

describe('chaos report: repeated replies', () => {
  it('excuses a repeat whose copies straddle a cut, whatever phase its MO was first sent in', () => {
    const records = [rec(0, [['a', 10]]), rec(1, [['a', 20]]), rec(2, [['a', 1100]]), rec(3, [['a', 2900], ['a', 3600]]), rec(4, [['a', 3100]]), rec(5, [['a', 3200]])];
    const r = run(records, windows);
    expect(r.total.failures).toEqual([]);
    expect(r.pass).toBe(true);
  });

  it('fails a repeat with no kill -9 or cut between its copies, even in a cut phase', () => {
    const records = [rec(0, [['a', 10]]), rec(1, [['a', 20]]), rec(2, [['a', 1100], ['a', 1200]]), rec(3, [['a', 1300]]), rec(4, [['a', 4600], ['a', 4700]]), rec(5, [['a', 3200]])];
    const r = run(records, windows);
    expect(r.pass).toBe(false);
    expect(r.total.failures).toEqual([
      'pg-restart: 1 MO replied twice with no kill -9 or cut between the copies',
      'net-cut: 1 MO replied twice with no kill -9 or cut between the copies',
    ]);
  });

  it('excuses a reply written just before a kill -9 that reaches the peer a moment after it', () => {
    const kill: FaultWindow[] = [{ kind: 'gateway-kill9', start: 1000, end: 1000, kStart: 2, backlogFrom: 2, kEnd: 4 }];
    const records = [rec(0, [['a', 10]]), rec(1, [['a', 1010], ['a', 8000]]), rec(2, [['a', 1100]]), rec(3, [['a', 1300]])];
    expect(run(records, kill).total.failures).toEqual([]);
  });

  it('fails more repeats across one cut than the window', () => {
    const records = [rec(0, [['a', 10]]), rec(1, [['a', 20]]), rec(2, [['a', 1100]]), rec(3, [['a', 1300]]), rec(4, [['a', 2950], ['a', 3600]]), rec(5, [['a', 2960], ['a', 3610]])];
    expect(run(records, windows).total.failures).toEqual(['net-cut: 2 replies repeated across this net-cut (allowed: the window, 1)']);
  });
});
