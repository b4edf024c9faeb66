/**
 * The chaos table: one row per fault (the MO first created from its start to the next fault's start) plus the
 * traffic before the first fault, and the bar: 0 acked MO lost, 0 actions twice, duplicate replies only at a
 * kill -9 or a cut and at most the window, the backlog clear within 10 s, and the gateway never exiting by itself.
 */
import { verdict, type Leftovers } from './audit.js';
import { IN_FLIGHT_FAULTS, type FaultKind } from './faults.js';
import type { ChaosPeer, MoRecord } from './peer.js';

export const RECOVERY_BAR_S = 10;

export interface FaultWindow {
  kind: FaultKind;
  /** performance.now() when the fault began and when its cause was gone. */
  start: number;
  end: number;
  /** MO index at the fault's start; its backlog is MO [backlogFrom, kEnd) not replied by `start`. */
  kStart: number;
  backlogFrom: number;
  kEnd: number;
}

export interface ChaosRow {
  phase: string;
  mo: number;
  acked: number;
  /** Never acked by the end (the peer kept re-sending). */
  unacked: number;
  /** Acked, no action after the drain, and no job left for it in Redis. */
  lost: number;
  /** Acked, no action yet, its job still queued when the drain gave up: the backlog did not clear. */
  stuck: number;
  /** Acted on more than once; `twiceResent`: of those, MO the peer had sent more than once (its ack was lost). */
  actionsTwice: number;
  twiceResent: number;
  /** MO with more than one reply; `sameReplyAgain`: of those, the same reply text repeated (a deliver_sm re-sent). */
  repliesTwice: number;
  sameReplyAgain: number;
  resent: number;
  /** From the fault's cause gone to the last reply of its backlog, s; null: some of it never got a reply. */
  recoveryS: number | null;
  gatewayExits: string[];
  failures: string[];
}

export interface ChaosReport {
  rows: ChaosRow[];
  total: ChaosRow;
  leftovers: Leftovers;
  disconnects: number;
  refusedByStatus: Record<string, number>;
  unmatchedReplies: number;
  windows: FaultWindow[];
  logDir: string;
  pass: boolean;
  /** Each repeated reply no kill -9 or cut explains: its number and reply times, s after the first fault began. */
  unexplained: string[];
}

export function summarise(i: {
  records: MoRecord[]; windows: FaultWindow[]; actions: Map<string, number>; leftovers: Leftovers;
  exits: { at: number; how: string }[]; window: number; logDir: string; peer: ChaosPeer;
}): ChaosReport {
  const n = i.records.length;
  const bounds = [{ phase: 'before faults', from: 0, to: i.windows[0]?.kStart ?? n, w: undefined as FaultWindow | undefined }];
  i.windows.forEach((w, j) => bounds.push({ phase: w.kind, from: w.kStart, to: i.windows[j + 1]?.kStart ?? n, w }));
  const rows = bounds.map((b, j) => {
    const row = tally(b.phase, i.records.slice(b.from, b.to), i.actions, i.leftovers.queuedSources);
    const w = b.w;
    if (w) {
      const next = i.windows[j]?.start ?? Infinity; // bounds[j] is windows[j - 1]: windows[j] comes next
      row.recoveryS = recovery(i.records, w);
      row.gatewayExits = i.exits.filter((x) => x.at >= w.start && x.at < next).map((x) => x.how);
      if (row.recoveryS === null || row.recoveryS > RECOVERY_BAR_S) row.failures.push(`backlog ${row.recoveryS === null ? 'never cleared' : `took ${row.recoveryS} s`} (bar ${RECOVERY_BAR_S} s)`);
      // The copies this fault explains (it fell between a reply and its repeat), wherever their MO was first sent.
      const explained = i.records.filter((r) => repeatExcuse(r, i.windows) === w).length;
      if (explained > i.window) row.failures.push(`${explained} replies repeated across this ${w.kind} (allowed: the window, ${i.window})`);
    } else {
      row.gatewayExits = i.exits.filter((x) => x.at < (i.windows[0]?.start ?? Infinity)).map((x) => x.how);
    }
    // A repeat is allowed only for a PDU in flight at a kill -9 or a cut: one such fault must lie between the
    // first copy and the repeat. The MO's phase (when it was first sent) is not enough: an MO sent just before a
    // fault has its reply in flight during it.
    const unexplained = i.records.slice(b.from, b.to).filter((r) => hasRepeat(r) && repeatExcuse(r, i.windows) === undefined).length;
    if (unexplained) row.failures.push(`${unexplained} MO replied twice with no kill -9 or cut between the copies`);
    if (row.gatewayExits.length) row.failures.push(`gateway exited ${row.gatewayExits.length}× by itself`);
    if (row.lost) row.failures.push(`${row.lost} acked MO lost`);
    if (row.stuck) row.failures.push(`${row.stuck} acked MO still queued after the drain`);
    if (row.actionsTwice) row.failures.push(`${row.actionsTwice} MO acted on twice`);
    if (row.unacked) row.failures.push(`${row.unacked} MO never acked`);
    return row;
  });
  const total = tally('total', i.records, i.actions, i.leftovers.queuedSources);
  total.gatewayExits = i.exits.map((x) => x.how);
  const lo = i.leftovers;
  const stuck = [...Object.entries(lo.mo).map(([k, v]) => [`mo ${k}`, v] as const), ...Object.entries(lo.mt).map(([k, v]) => [`mt ${k}`, v] as const)].filter(([, v]) => v > 0);
  for (const [k, v] of stuck) total.failures.push(`${v} jobs left ${k}`);
  if (lo.outboxUnsent) total.failures.push(`${lo.outboxUnsent} replies never sent`);
  total.failures.push(...rows.flatMap((r) => r.failures.map((f) => `${r.phase}: ${f}`)));
  return {
    rows, total, leftovers: lo, disconnects: i.peer.disconnects.length,
    refusedByStatus: Object.fromEntries([...i.peer.refusedByStatus].map(([s, c]) => [`0x${s.toString(16).padStart(8, '0')}`, c])),
    unmatchedReplies: i.peer.unmatchedReplies, windows: i.windows, logDir: i.logDir, pass: total.failures.length === 0,
    unexplained: i.records.filter((r) => hasRepeat(r) && repeatExcuse(r, i.windows) === undefined).map((r) => {
      const t0 = i.windows[0]?.start ?? 0;
      const s = (t: number) => ((t - t0) / 1000).toFixed(2);
      return `${r.msisdn}: sent ${r.attempts}×, first at ${s(r.firstSentAt)} s; replies at ${r.replyAts.map(s).join(', ')} s`;
    }),
  };
}

/** A reply text that came again (one deliver_sm sent twice), not two different replies (two actions). */
function hasRepeat(r: MoRecord): boolean {
  return new Set(r.replies).size < r.replies.length;
}

/**
 * The kill -9 or cut that explains a repeated reply: its fault began before the repeat arrived and ended after
 * the first copy did (the first copy's deliver_sm_resp was lost to it, or its sent mark died with the process).
 */
/**
 * Bytes a process wrote just before its kill -9 (or before a reset) still reach the peer a moment after the
 * fault's instant: a kill is over (its cause gone) as it happens, yet its last deliver_sm arrives milliseconds later.
 */
const IN_FLIGHT_GRACE_MS = 1_000;

function repeatExcuse(r: MoRecord, windows: readonly FaultWindow[]): FaultWindow | undefined {
  for (let j = 1; j < r.replies.length; j++) {
    const first = r.replies.indexOf(r.replies[j]!);
    if (first === j) continue;
    const t1 = r.replyAts[first]!, t2 = r.replyAts[j]!;
    const w = windows.find((x) => IN_FLIGHT_FAULTS.includes(x.kind) && x.start <= t2 && x.end + IN_FLIGHT_GRACE_MS >= t1);
    if (w) return w;
  }
  return undefined;
}

function tally(phase: string, records: MoRecord[], actions: Map<string, number>, queued: Set<string>): ChaosRow {
  const row: ChaosRow = { phase, mo: records.length, acked: 0, unacked: 0, lost: 0, stuck: 0, actionsTwice: 0, twiceResent: 0, repliesTwice: 0, sameReplyAgain: 0, resent: 0, recoveryS: null, gatewayExits: [], failures: [] };
  for (const r of records) {
    const v = verdict(r, actions, queued);
    if (v.acked) row.acked++;
    else row.unacked++;
    if (v.acked && v.actions === 0) {
      if (v.queued) row.stuck++;
      else row.lost++;
    }
    if (r.attempts > 1) row.resent++;
    if (v.actions > 1) {
      row.actionsTwice++;
      if (r.attempts > 1) row.twiceResent++;
    }
    if (v.replies > 1) {
      row.repliesTwice++;
      if (v.sameReplyAgain > 0) row.sameReplyAgain++;
    }
  }
  return row;
}

function recovery(records: MoRecord[], w: FaultWindow): number | null {
  let last = w.end;
  for (let k = w.backlogFrom; k < w.kEnd; k++) {
    const r = records[k]!;
    if (r.firstReplyAt === null) return null;
    if (r.firstReplyAt > w.start) last = Math.max(last, r.firstReplyAt);
  }
  return Math.round((last - w.end) / 100) / 10;
}

export function formatReport(r: ChaosReport): string[] {
  const head = ['phase', 'MO', 'acked', 'lost', 'stuck', 'actions twice (re-sent)', 'replies twice (same text)', 're-sent', 'recovery s', 'gateway exits'];
  const cells = (x: ChaosRow) => [
    x.phase, x.mo, x.acked, x.lost, x.stuck, `${x.actionsTwice} (${x.twiceResent})`, `${x.repliesTwice} (${x.sameReplyAgain})`, x.resent,
    x.phase === 'before faults' || x.phase === 'total' ? '' : (x.recoveryS ?? 'never'), x.gatewayExits.length,
  ].map(String);
  const lines = [head, ...r.rows.map(cells), cells(r.total)];
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const fmt = (l: string[]) => `| ${l.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ')} |`;
  const out = [fmt(head), `|${widths.map((w, c) => (c === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`, ...lines.slice(1).map(fmt)];
  const exits = r.total.gatewayExits;
  out.push('', `peer: ${r.disconnects} sessions lost, refusals by status ${JSON.stringify(r.refusedByStatus)}, ${r.unmatchedReplies} unmatched replies`);
  out.push(`left after the drain: mo ${JSON.stringify(r.leftovers.mo)}, mt ${JSON.stringify(r.leftovers.mt)}, outbox unsent ${r.leftovers.outboxUnsent}, unrelayed ${r.leftovers.outboxUnrelayed}`);
  if (exits.length) out.push(`gateway exits: ${exits.join(' ; ')}`);
  if (r.unexplained.length) {
    out.push('repeats no fault explains (faults, s after the first began: ' + r.windows.map((w) => `${w.kind} ${((w.start - r.windows[0]!.start) / 1000).toFixed(2)}–${((w.end - r.windows[0]!.start) / 1000).toFixed(2)}`).join(', ') + '):');
    out.push(...r.unexplained.map((u) => `  ${u}`));
  }
  out.push(r.pass ? 'bar: PASS' : `bar: FAIL\n  - ${r.total.failures.join('\n  - ')}`);
  out.push(`gateway log: ${r.logDir}/gateway.log`);
  return out;
}
