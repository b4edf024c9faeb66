/**
 * Where the cores went during a measured run: CPU time (user + system, /proc/<pid>/stat fields 14–15) of
 * the gateway process (with its worker process, if it forked one), of every PostgreSQL and Redis server process on the box, and of the bench process
 * itself, as % of one core over the run's wall time; `other` is the rest of the box's busy time (/proc/stat),
 * i.e. work that is not ours and competes with the measurement. PostgreSQL and Redis are shared servers:
 * other work on the box lands there too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { workerPids } from './gateway-process.js';

const CLK_TCK = 100; // getconf CLK_TCK on Linux

export interface CpuSnapshot {
  at: number;
  ticks: Record<CpuGroup, number>;
}

export type CpuGroup = 'gateway' | 'postgres' | 'redis' | 'bench' | 'busy';

export interface CpuUse {
  gatewayPct: number;
  postgresPct: number;
  redisPct: number;
  benchPct: number;
  /** Busy time of the whole box not accounted for by the groups above. */
  otherPct: number;
  /** The run's wall time the percentages are of, in seconds. */
  wallS: number;
}

/** comm is the second field, in parentheses (it may contain spaces); utime and stime follow at 14 and 15. */
function procTicks(pid: string): { comm: string; ticks: number } | undefined {
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3]
  return { comm, ticks: Number(rest[11]) + Number(rest[12]) };
}

export function cpuSnapshot(gatewayPid: number): CpuSnapshot {
  const workers = new Set(workerPids(gatewayPid));
  const ticks: Record<CpuGroup, number> = { gateway: 0, postgres: 0, redis: 0, bench: 0, busy: busyTicks() };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const p = procTicks(pid);
    if (!p) continue;
    // The gateway's worker process (PROCESSES, gateway-processes.ts) is its child: counted with it.
    if (Number(pid) === gatewayPid || workers.has(Number(pid))) ticks.gateway += p.ticks;
    else if (Number(pid) === process.pid) ticks.bench += p.ticks;
    else if (p.comm === 'postgres') ticks.postgres += p.ticks;
    else if (p.comm.startsWith('redis-server')) ticks.redis += p.ticks;
  }
  return { at: performance.now(), ticks };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const wallS = (b.at - a.at) / 1000;
  const pct = (g: CpuGroup) => (wallS > 0 ? Math.round(((b.ticks[g] - a.ticks[g]) / CLK_TCK / wallS) * 1000) / 10 : 0);
  const ours = pct('gateway') + pct('postgres') + pct('redis') + pct('bench');
  return {
    gatewayPct: pct('gateway'), postgresPct: pct('postgres'), redisPct: pct('redis'), benchPct: pct('bench'),
    otherPct: Math.max(0, Math.round((pct('busy') - ours) * 10) / 10),
    wallS: Math.round(wallS * 1000) / 1000,
  };
}

/** The box's busy time: the first line of /proc/stat, all fields but idle and iowait. */
function busyTicks(): number {
  let line: string;
  try { line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''; } catch { return 0; }
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
}
