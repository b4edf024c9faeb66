/**
 * Where the cores went during a measured run: CPU time (user + system, /proc/<pid>/stat fields 14–15) of
 * the gateway process and of every PostgreSQL and Redis server process on the box, as % of one core over
 * the run's wall time. PostgreSQL and Redis are shared servers: other work on the box lands there too.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // getconf CLK_TCK on Linux

export interface CpuSnapshot {
  at: number;
  ticks: Record<CpuGroup, number>;
}

export type CpuGroup = 'gateway' | 'postgres' | 'redis';

export interface CpuUse {
  gatewayPct: number;
  postgresPct: number;
  redisPct: number;
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
  const ticks: Record<CpuGroup, number> = { gateway: 0, postgres: 0, redis: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const p = procTicks(pid);
    if (!p) continue;
    if (Number(pid) === gatewayPid) ticks.gateway += p.ticks;
    else if (p.comm === 'postgres') ticks.postgres += p.ticks;
    else if (p.comm.startsWith('redis-server')) ticks.redis += p.ticks;
  }
  return { at: performance.now(), ticks };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const wallS = (b.at - a.at) / 1000;
  const pct = (g: CpuGroup) => (wallS > 0 ? Math.round(((b.ticks[g] - a.ticks[g]) / CLK_TCK / wallS) * 1000) / 10 : 0);
  return { gatewayPct: pct('gateway'), postgresPct: pct('postgres'), redisPct: pct('redis') };
}
