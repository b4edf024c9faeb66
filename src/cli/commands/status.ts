/** `scgw status [--watch]`: the fleet view (GET /admin/status) as terminal tables. */
import type { Command } from 'commander';
import type { FleetStatus } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, output, type Globals } from '../api.js';

/** Columns padded to their widest cell; `right` holds the numeric columns. */
export function columns(rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

function uptime(s: number): string {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

const w3 = (w: { m1: number; m5: number; m15: number }) => `${w.m1}/${w.m5}/${w.m15}`;

export function renderStatus(v: FleetStatus): string[] {
  const sessions = v.nodes.flatMap((n) => n.sessions.map((s) => ({ ...s, node: n.id })));
  const suspended = v.links.filter((l) => l.suspended);
  const out = [`Fleet: ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}, ${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${suspended.length} link${suspended.length === 1 ? '' : 's'} suspended (as of ${v.generatedAt})`, ''];
  out.push(...columns([
    ['NODE', 'ROLES', 'VERSION', 'UP', 'SESSIONS', 'MO IN/S 1/5/15M', 'MT OUT/S 1/5/15M', 'THROTTLED/S', 'RECEIPTS/S', 'STATE'],
    ...v.nodes.map((n) => [n.id, n.roles.join(','), n.version, uptime(n.uptimeS), String(n.sessions.length), w3(n.rates.moIn), w3(n.rates.mtOut), w3(n.rates.moThrottled), w3(n.rates.receipts), n.draining ? 'draining' : 'up']),
  ], new Set([4])));
  out.push('');
  out.push(...columns([
    ['LINK', 'DIRECTION', 'STATE', 'SESSIONS', 'PER NODE'],
    ...v.links.map((l) => [l.name, l.direction, l.suspended ? `suspended by ${l.suspended.by}` : l.enabled ? 'active' : 'disabled', String(l.total), l.sessions.map((s) => `${s.node}:${s.count}`).join(' ') || '-']),
  ], new Set([3])));
  out.push('');
  out.push(...columns([
    ['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'FAILED', 'OLDEST', 'HELD'],
    ...v.queues.map((q) => [q.name, String(q.waiting), String(q.active), String(q.delayed), String(q.failed), q.oldestWaitingS === null ? '-' : `${q.oldestWaitingS}s`, q.paused ? 'held' : '']),
  ], new Set([1, 2, 3, 4, 5])));
  if (sessions.length) {
    out.push('');
    out.push(...columns([['SESSION', 'NODE', 'LINK', 'PEER', 'BIND', 'BOUND AT'], ...sessions.map((s) => [s.id, s.node, s.link, s.peer, s.direction === 'outbound' ? `${s.bindKind} (outbound${s.slot !== undefined ? `, slot ${s.slot}` : ''})` : s.bindKind, s.boundAt ?? '-'])]));
  }
  const errors = v.nodes.flatMap((n) => n.errors.map((e) => ({ ...e, node: n.id }))).sort((a, b) => b.at.localeCompare(a.at)).slice(0, 10);
  if (errors.length) {
    out.push('', 'Recent problems:');
    out.push(...columns(errors.map((e) => [e.at, e.node, e.level, e.component ?? '', e.link ?? '', e.msg, e.code ?? ''])));
  }
  return out;
}

export function registerStatusCommand(program: Command, globals: Globals) {
  program.command('status').description('the fleet: nodes, links with sessions per node, queues, rates, recent problems')
    .option('--watch', 'redraw until Ctrl-C')
    .option('--interval <s>', 'seconds between redraws with --watch', '2')
    .action(async (o: { watch?: boolean; interval: string }) => {
      const everyMs = Number(o.interval) * 1000;
      if (!(everyMs > 0)) throw new CliError(`--interval: expected seconds, got "${o.interval}"`, EXIT.usage);
      for (;;) {
        const v = await api<FleetStatus>(globals(), 'GET', '/admin/status');
        // In a terminal, --watch clears the screen before each redraw; piped, it appends.
        if (o.watch && !globals().json && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        output(globals().json, v, () => renderStatus(v));
        if (!o.watch) return;
        await new Promise((r) => setTimeout(r, everyMs));
      }
    });
}
