import type { Command } from 'commander';
import type { StorageView } from '../../web/admin/schemas.js';
import { api, output, type Globals } from '../api.js';

/** 1536 → "1.5 KiB". */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // Text columns left, numbers right.
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

function render(s: StorageView): string[] {
  const out = [`PostgreSQL: ${humanBytes(s.postgres.totalBytes)}`];
  out.push(...table([['table', 'rows', 'size'], ...s.postgres.tables.map((t) => [t.table, `${t.exact ? '' : '~'}${t.rows}`, humanBytes(t.bytes)])]));
  out.push('');
  if (s.redis) {
    out.push(`Redis: ${humanBytes(s.redis.usedMemoryBytes)} used, peak ${humanBytes(s.redis.peakMemoryBytes)}, limit ${s.redis.maxMemoryBytes ? humanBytes(s.redis.maxMemoryBytes) : 'none'}`);
    out.push(...table([['queue', 'waiting', 'active', 'delayed', 'failed', 'completed'], ...s.redis.queues.map((q) => [q.queue, ...[q.waiting, q.active, q.delayed, q.failed, q.completed].map(String)])]));
  } else {
    out.push('Redis: no answer');
  }
  out.push('');
  const p = s.retention.policy;
  out.push(`Retention (days; everyS seconds): ${Object.entries(p).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const last = s.retention.lastRun;
  if (last) {
    const deleted = Object.entries(last.deleted).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no rows';
    out.push(`Last prune: ${last.at} (${last.ms} ms): deleted ${deleted}; jobs removed ${last.jobs.removed}, text blanked ${last.jobs.blanked}`);
  } else {
    out.push('Last prune: not yet');
  }
  return out;
}

export function registerStorageCommand(program: Command, globals: Globals) {
  program.command('storage').description('what the gateway keeps: rows and bytes per table, Redis memory and queues, retention').action(async () => {
    const s = await api<StorageView>(globals(), 'GET', '/admin/storage');
    output(globals().json, s, () => render(s));
  });
}
