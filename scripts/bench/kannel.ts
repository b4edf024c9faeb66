/**
 * `--with-kannel`: runs ../shared/tools/kannel/run.sh (Kannel's static auto-reply driven by smpp-load, on
 * this box) in the same bench run, so the scgw/Kannel ratio compares like with like. The script prints
 * smpp-load's summary and a last line `RESULT {json}` (smpp-load's JSON plus Kannel's CPU and RSS). The bench's own
 * workloads use sim load, a heavier generator (about three times smpp-load's CPU per MO on this box, which on two
 * cores the gateway then lacks), so workload (a) is also run with smpp-load (runSmppLoad) for a like-for-like ratio.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface KannelRun {
  window: number;
  count: number;
  ok: boolean;
  /** Why there is no figure (script missing, failed). */
  note?: string;
  throughputRps?: number;
  /** Replies ÷ (last reply − first MO): the whole run (smpp-load's reply_rate_overall_rps). */
  overallRps?: number;
  latencyMs?: { p50: number; p99: number };
  peakRssKb?: number;
  lost?: number;
  duplicates?: number;
  raw?: unknown;
}

interface KannelJson {
  throughput_rps: number | null;
  reply_rate_overall_rps?: number | null;
  latency_ms: { p50: number; p99: number };
  no_reply: number;
  duplicates: number;
  kannel?: { total_vmhwm_kb?: number };
}

export async function runKannel(script: string, o: { window: number; count: number; warmup: number; say(msg: string): void }): Promise<KannelRun> {
  if (!existsSync(script)) return { window: o.window, count: o.count, ok: false, note: `no Kannel script at ${script}: skipped` };
  o.say(`Kannel, window ${o.window}: ${o.count} MO (${script})`);
  const { code, out, tail } = await runTool('bash', [script], { ...process.env, WINDOW: String(o.window), COUNT: String(o.count), WARMUP: String(o.warmup) });
  const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (!line) return { window: o.window, count: o.count, ok: false, note: `run.sh exited ${code} without a RESULT line: ${tail}` };
  const r = JSON.parse(line.slice('RESULT '.length)) as KannelJson;
  return {
    window: o.window, count: o.count, ok: true,
    throughputRps: r.throughput_rps ?? 0,
    overallRps: r.reply_rate_overall_rps ?? 0,
    latencyMs: { p50: r.latency_ms.p50, p99: r.latency_ms.p99 },
    peakRssKb: r.kannel?.total_vmhwm_kb ?? 0,
    lost: r.no_reply, duplicates: r.duplicates, raw: r,
  };
}

/** smpp-load beside the Kannel script (../shared/tools/smpp-load/smpp-load.mjs): the load generator Kannel is measured with. */
export function smppLoadBeside(kannelScript: string): string {
  return resolve(dirname(kannelScript), '../smpp-load/smpp-load.mjs');
}

/** Workload (a) driven by smpp-load instead of sim load: the same generator as Kannel's run, so the ratio is like for like. */
export interface PeerRun {
  window: number;
  ok: boolean;
  note?: string;
  throughputRps?: number;
  overallRps?: number;
  latencyMs?: { p50: number; p99: number };
  lost?: number;
  duplicates?: number;
  /** The generator's own CPU, % of one core (smpp-load's tool_cpu_pct). */
  toolCpuPct?: number;
}

/** smpp-load as the SMSC's side of a bind to the gateway (esme mode): `count` help MO after `warmup`, at `window`. */
export async function runSmppLoad(smppLoad: string, o: { port: number; systemId: string; password: string; window: number; count: number; warmup: number; say(msg: string): void }): Promise<PeerRun> {
  if (!existsSync(smppLoad)) return { window: o.window, ok: false, note: `no smpp-load at ${smppLoad}: skipped` };
  o.say(`scgw with smpp-load, window ${o.window}: ${o.count} MO`);
  const args = [smppLoad, '--mode', 'esme', '--connect', `127.0.0.1:${o.port}`, '--system-id', o.systemId, '--password', o.password,
    '--count', String(o.count), '--warmup', String(o.warmup), '--window', String(o.window), '--short-code', '232', '--text', 'hello',
    '--expect', '^SMS archive, 232: ', '--json'];
  const { code, out, tail } = await runTool(process.execPath, args);
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) return { window: o.window, ok: false, note: `smpp-load exited ${code} without JSON: ${tail}` };
  const r = JSON.parse(line) as KannelJson & { tool_cpu_pct?: number };
  return {
    window: o.window, ok: true, throughputRps: r.throughput_rps ?? 0, overallRps: r.reply_rate_overall_rps ?? 0,
    latencyMs: { p50: r.latency_ms.p50, p99: r.latency_ms.p99 }, lost: r.no_reply, duplicates: r.duplicates, toolCpuPct: r.tool_cpu_pct ?? 0,
  };
}

/** Runs a tool to its end: its exit code, all of its stdout (read to the end), and its last lines for a note. */
async function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string; tail: string }> {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  // 'close', not 'exit': the streams are read to the end, so the last line (the one with the figures) is in `out`.
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  return { code, out, tail: (err || out).trim().split('\n').slice(-3).join(' | ') };
}
