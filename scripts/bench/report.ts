/** The bench's readable output: one table per part, plain text for a terminal or a closing note. */
import type { CpuUse } from './cpu.js';
import type { AckCost } from './durability.js';
import type { ExportResult } from './export.js';
import type { HashCeiling } from './hash-ceiling.js';
import type { KannelRun, PeerRun } from './kannel.js';
import type { WorkloadResult } from './workloads.js';

export interface BenchFigureLike {
  name: string;
  value: number;
  unit: string;
}

export interface BenchReport {
  startedAt: string;
  machine: { cores: number; node: string; platform: string };
  count: number;
  quick: boolean;
  gatewayEnv: Record<string, string>;
  /** The node flags of `npm start` the gateway ran with (gateway-process.ts startFlags). */
  gatewayFlags?: string[];
  /** The environment `npm start` sets before node (gateway-process.ts startEnv). */
  gatewayStartEnv?: Record<string, string>;
  /** The code measured: commit, uncommitted changes under src/ and drizzle/ at the start and end, snapshot or working tree. */
  source: { commit: string; dirtyAtStart: number; dirtyAtEnd: number; commitAtEnd: string; snapshot: boolean };
  /** Where the gateway processes' logs were kept. */
  logDir: string;
  hash: HashCeiling;
  workloads: WorkloadResult[];
  kannel: KannelRun[] | null;
  kannelNote?: string;
  /** With --with-kannel: workload (a) driven by smpp-load, Kannel's own generator (kannel.ts runSmppLoad). */
  sameGenerator?: PeerRun[];
  text: BenchFigureLike[];
  routing: BenchFigureLike[];
  /** --durability: intake's write + ACK_DURABILITY gate alone, per mode and MO in flight. */
  ackCosts?: AckCost[];
  /** The message log's CSV export (export.ts): full bench and --only export. */
  exportRun?: ExportResult;
}

const num = (v: number | undefined | null, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v) ? '–' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (kb: number | undefined) => (kb ? `${(kb / 1024).toFixed(1)} MiB` : '–');

function table(head: string[], rows: string[][], leftCols = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => (i < leftCols ? s.padEnd(widths[i] ?? 0) : s.padStart(widths[i] ?? 0));
  return [head.map(cell).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => r.map(cell).join('  '))];
}

export function formatReport(r: BenchReport): string[] {
  const out: string[] = [];
  out.push(`scgw bench, ${r.startedAt}: ${r.machine.cores} cores, Node ${r.machine.node}, ${r.count.toLocaleString('en-US')} MO per run${r.quick ? ' (--quick)' : ''}`);
  const src = r.source;
  out.push(`code: ${src.snapshot ? `snapshot of HEAD ${src.commit} (git archive)` : `working tree at ${src.commit}, ${src.dirtyAtStart} uncommitted changes under src/ and drizzle/`}`
    + (!src.snapshot && (src.commitAtEnd !== src.commit || src.dirtyAtEnd !== src.dirtyAtStart) ? `; CHANGED DURING THE RUN (end: ${src.commitAtEnd}, ${src.dirtyAtEnd} changes): workloads may have run different code` : ''));
  out.push(`gateway: one child process (${Object.entries(r.gatewayStartEnv ?? {}).map(([k, v]) => `${k}=${v} `).join('')}node ${[...(r.gatewayFlags ?? []), 'dist/main.js'].join(' ')}, as npm start runs it), ${Object.entries(r.gatewayEnv).map(([k, v]) => `${k}=${v}`).join(' ')}; restarted for each workload`);
  out.push('');
  const hashNote = `scrypt hashes/s (log2 N ${r.hash.logN}) with ${r.hash.cores} at a time, one per core as the gateway runs them, in the bench process with nothing else to do (one alone: ${r.hash.msPerHash} ms)`;
  const rows = r.workloads.map((w) => {
    const l = w.load;
    const perS = w.ceiling?.hashesPerS ?? r.hash.hashesPerS;
    const ceiling = w.kind === 'password' ? `${num(perS)}/s (${Math.round((100 * l.throughputRps) / perS)} %)` : '';
    return [
      w.label, String(w.window), num(l.throughputRps), num(l.replyRateOverallRps), num(l.latencyMs?.p50, 1), num(l.latencyMs?.p99, 1), num(l.latencyMs?.max, 0), num(l.ackLatencyMs?.p50, 1), mib(w.peakRssKb),
      w.cpu ? `${w.cpu.gatewayPct}/${w.cpu.postgresPct}/${w.cpu.redisPct}/${w.cpu.benchPct}` : '–', w.cpu ? String(w.cpu.otherPct) : '–', cpuPerReply(w.cpu, l.replied), `${l.acked}/${l.sent}`, String(l.lost), String(l.duplicates), String(l.textMismatch), String(l.refused + l.unanswered), `${w.gateway.warnings}/${w.gateway.errors}`, l.endReason, ceiling,
    ];
  });
  if (r.workloads.length) {
    out.push('SMPP workloads: MO→reply through the whole gateway (sim load: runLoad in the bench process)');
    out.push(...table(['workload', 'window', 'replies/s', 'overall/s', 'p50 ms', 'p99 ms', 'max ms', 'ack p50', 'peak RSS', 'cpu % gw/pg/redis/load', 'other %', 'cpu ms/reply gw/box', 'acked', 'lost', 'dup', 'mismatch', 'refused', 'warn/err', 'end', 'hash-bound ceiling'], rows));
    out.push(`  hash-bound ceiling = ${hashNote}. replies/s: steady rate between the 10th and 90th percentile reply times.`);
    for (const w of r.workloads) {
      if (w.ceiling) out.push(`  ${w.label}, window ${w.window}: ceiling measured just before and just after the run, the gateway stopped: ${num(w.ceiling.before)} and ${num(w.ceiling.after)}/s; the mean is its ceiling (the first figure above: ${num(r.hash.hashesPerS)}/s).`);
    }
    out.push('  overall/s: replies ÷ (last reply − first MO), the whole run. A gateway that acks a burst faster than it replies (window 100)');
    out.push('  sends most replies after the acks: its steady rate then leaves the intake out, and is above its overall rate.');
    if (r.workloads.some((w) => w.kind === 'paced')) out.push('  paced: workload (a) sent at half the best (a) overall/s above (the gateway\'s saturation), window 100: its p99 is the latency below saturation.');
    const warm = r.workloads.find((w) => w.kind !== 'password')?.warmup.count;
    if (warm !== undefined) out.push(`  warm-up: ${num(warm)} MO before each (a) and paced run (and before smpp-load's and Kannel's runs below), not measured: a fresh gateway compiles its hot path over its first ~10,000 MO.`);
    out.push('  peak RSS: VmHWM of the gateway process (plus its worker process, when it forks one) over its life (start-up, warm-up and the run); Redis and PostgreSQL are not included.');
    out.push('  ack p50: MO → its deliver_sm_resp, ms: at window 10 the peer waits for these before it sends more.');
    out.push('  cpu %: of one core during the measured run: the gateway process / all PostgreSQL / all Redis processes (shared servers) / the bench process (the load).');
    out.push('  cpu ms/reply: CPU time of the gateway process / of the whole box (the load and other work included) over the run, per reply; on a box');
    out.push('  that runs out of cores (2 here, shared with PostgreSQL, Redis and the load) this, not the rate, is what a change moves least noisily.');
    out.push(`  other %: the rest of the box's busy time (not ours: it competes with the measurement; ${r.machine.cores} cores = ${r.machine.cores * 100} %).`);
    out.push(`  warn/err: the gateway's log lines at warn / error level during the workload; logs kept in ${r.logDir}`);
    if (r.workloads.some((w) => w.id.startsWith('d-'))) {
      out.push('  ACK_DURABILITY rows: workload (a) on Redis servers of the bench\'s own (memory and replica: an AOF-everysec primary with one');
      out.push('  replica, WAIT 1 per ack for replica; fsync: a primary with appendfsync always). Compare them with each other, not with the rows above.');
    }
    const other = new Set(r.workloads.flatMap((w) => w.gateway.sample.filter((l) => l.startsWith('other: '))));
    if (other.size) out.push(`  gateway output outside pino (every run): ${[...other].map((l) => l.slice(7, 110)).join(' | ')}`);
    for (const w of r.workloads) {
      if (w.gatewayExitedEarly) out.push(`  ${w.id}: THE GATEWAY PROCESS EXITED DURING THE RUN (exit code ${w.gateway.code ?? w.gateway.signal}); its figures are not a measurement`);
      if (w.gateway.warnings + w.gateway.errors > 0) out.push(`  ${w.id} gateway log: ${w.gateway.sample.filter((l) => !l.startsWith('other: ')).join(' | ')}`);
      if (w.load.lost || w.load.duplicates || w.load.textMismatch || w.load.unmatched) {
        out.push(`  ${w.id}: lost ${w.load.lost}, duplicated ${w.load.duplicates} (+${w.load.extraReplies}), mismatched ${w.load.textMismatch}, unmatched ${w.load.unmatched}; sample ${JSON.stringify(w.load.sampleReply)}`);
      }
      if (w.load.toolCpuPct > 80) out.push(`  ${w.id}: the load generator used ${w.load.toolCpuPct} % of a core (loop lag p99 ${w.load.toolLoopDelayP99Ms} ms): it may be part of the limit`);
    }
    out.push('');
  } // no SMPP workload ran (--only export)
  if (r.kannel) {
    out.push('Kannel (../shared/tools/kannel/run.sh in this run: static auto-reply to "ON", smpp-load as the SMSC)');
    const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? `${(ours / theirs).toFixed(2)}×` : '–');
    const krows = r.kannel.map((k) => {
      const a = r.workloads.find((w) => w.kind === 'routing' && w.window === k.window);
      return k.ok
        ? [`window ${k.window}`, num(k.throughputRps), num(k.overallRps), num(k.latencyMs?.p50, 1), num(k.latencyMs?.p99, 1), mib(k.peakRssKb), String(k.lost), String(k.duplicates),
          ratio(a?.load.throughputRps, k.throughputRps), ratio(a?.load.replyRateOverallRps, k.overallRps)]
        : [`window ${k.window}`, '–', '–', '–', '–', '–', '–', '–', '–', k.note ?? 'failed'];
    });
    out.push(...table(['run', 'replies/s', 'overall/s', 'p50 ms', 'p99 ms', 'peak RSS', 'lost', 'dup', 'scgw (a) / Kannel', 'overall'], krows));
    out.push('  Kannel\'s peak RSS is bearerbox + smsbox; its store is a file, scgw\'s are PostgreSQL and Redis.');
    if (r.sameGenerator?.length) {
      out.push('', 'scgw (a) driven by smpp-load, the generator Kannel\'s run uses (sim load above takes about three times its CPU per MO)');
      out.push(...table(['run', 'replies/s', 'overall/s', 'p50 ms', 'p99 ms', 'lost', 'dup', 'load cpu %', 'scgw / Kannel', 'overall'], r.sameGenerator.map((g) => {
        const k = r.kannel?.find((x) => x.window === g.window && x.ok);
        return g.ok
          ? [`window ${g.window}`, num(g.throughputRps), num(g.overallRps), num(g.latencyMs?.p50, 1), num(g.latencyMs?.p99, 1), String(g.lost), String(g.duplicates), String(g.toolCpuPct),
            ratio(g.throughputRps, k?.throughputRps), ratio(g.overallRps, k?.overallRps)]
          : [`window ${g.window}`, '–', '–', '–', '–', '–', '–', '–', '–', g.note ?? 'failed'];
      })));
    }
    out.push('');
  } else if (r.kannelNote) {
    out.push(`Kannel: ${r.kannelNote}`, '');
  }
  if (r.ackCosts?.length) {
    out.push('ACK_DURABILITY cost (durability.ts): an mo job add and the gate, no gateway; the bench\'s own Redis servers');
    out.push(...table(['mode', 'in flight', 'acks/s', 'p50 ms', 'p99 ms'], r.ackCosts.map((c) => [c.mode, String(c.inFlight), num(c.acksPerS), num(c.p50Ms, 2), num(c.p99Ms, 2)])).map((l) => `  ${l}`));
    out.push('');
  }
  if (r.exportRun) {
    const e = r.exportRun;
    out.push(`message log CSV export (export.ts): GET /admin/messages/export over HTTP, ${num(e.mo)} MO + ${num(e.mt)} MT written in SQL over a month, body read as a stream`);
    out.push(...table(['rows', 'MiB', 's', 'rows/s', 'RSS before', 'RSS peak', 'RSS after', 'peak − before', 'samples', 'warn/err', 'result'], [[
      num(e.rows), (e.bytes / 1048576).toFixed(1), e.seconds.toFixed(2), num(e.rowsPerS), mib(e.rssBeforeKb), mib(e.rssPeakKb), mib(e.rssAfterKb),
      `${((e.rssPeakKb - e.rssBeforeKb) / 1024).toFixed(1)} MiB`, String(e.samples), `${e.gateway.warnings}/${e.gateway.errors}`, e.ok ? 'ok' : `FAILED: ${e.note ?? ''}`,
    ]], 0).map((l) => `  ${l}`));
    out.push(`  RSS: the gateway process's VmRSS just before the request, the highest of its 100 ms samples while streaming, and 1 s after the end;`);
    out.push(`  VmHWM (peak over its life, start-up included) ${mib(e.hwmBeforeKb)} before, ${mib(e.hwmAfterKb)} after. Filling took ${e.fillSeconds} s (not measured).`);
    if (e.gateway.warnings + e.gateway.errors > 0) out.push(`  export gateway log: ${e.gateway.sample.filter((l) => !l.startsWith('other: ')).join(' | ')}`);
    out.push('');
  }
  out.push('codecs (scripts/bench/text.ts)');
  out.push(...table(['figure', 'value', 'unit'], r.text.map((f) => [f.name, num(f.value, Number.isInteger(f.value) ? 0 : 2), f.unit]), 1).map((l) => `  ${l}`));
  out.push('');
  out.push('routing (scripts/bench/routing.ts: 10,000 keywords over 100 short codes, 100 regex routes)');
  out.push(...table(['figure', 'value', 'unit'], r.routing.map((f) => [f.name, num(f.value, Number.isInteger(f.value) ? 0 : 2), f.unit]), 1).map((l) => `  ${l}`));
  return out;
}

/** CPU ms per reply over a measured run: the gateway process's, and the whole box's (every busy core). A report saved before wallS was kept has none. */
export function cpuPerReply(cpu: (Omit<CpuUse, 'wallS'> & { wallS?: number }) | null | undefined, replied: number): string {
  if (!cpu?.wallS || replied <= 0) return '–';
  const ms = (pct: number) => ((pct / 100) * cpu.wallS! * 1000) / replied;
  const box = cpu.gatewayPct + cpu.postgresPct + cpu.redisPct + cpu.benchPct + cpu.otherPct;
  return `${ms(cpu.gatewayPct).toFixed(2)}/${ms(box).toFixed(2)}`;
}
