/**
 * The operator's status page (issue 12): the fleet view as one server-rendered page that refreshes itself
 * every few seconds, readable at a glance. Served on the ops listener at /status (127.0.0.1 by default, like
 * /metrics) and at /admin/status?format=html behind an admin token. No script, no external assets.
 */
import type { FastifyInstance } from 'fastify';
import type { FleetStatus } from './admin/schemas.js';
import { html, raw, type Html } from './subscriber/html.js';

const REFRESH_S = 5;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header .t{opacity:.7;font-size:12px}
.kpis{display:flex;gap:12px;padding:16px 20px;flex-wrap:wrap}
.kpi{background:#fff;border-radius:6px;padding:10px 16px;min-width:120px;box-shadow:0 1px 2px #0002}
.kpi b{display:block;font-size:22px}.kpi span{font-size:12px;color:#5b6475}
section{margin:0 20px 18px;background:#fff;border-radius:6px;box-shadow:0 1px 2px #0002;overflow:auto}
h2{font-size:14px;margin:0;padding:10px 14px;border-bottom:1px solid #e3e6eb}
table{border-collapse:collapse;width:100%}th,td{padding:6px 14px;text-align:left;white-space:nowrap;border-bottom:1px solid #eef0f3}
th{font-size:12px;color:#5b6475;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#137333}.warn{color:#b06000}.bad{color:#c5221f}.muted{color:#8a93a3}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600}
.tag.bad{background:#fce8e6}.tag.warn{background:#fef7e0}.tag.ok{background:#e6f4ea}
`;

function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  return s < 90 ? `${s}s` : s < 5400 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

function uptime(s: number): string {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(s % 60)}s`;
}

const r3 = (w: { m1: number; m5: number; m15: number }) => `${w.m1} / ${w.m5} / ${w.m15}`;

function table(head: string[], rows: Html[], empty: string): Html {
  return rows.length
    ? html`<table><tr>${head.map((h) => html`<th>${h}</th>`)}</tr>${rows}</table>`
    : html`<p class="muted" style="padding:0 14px">${empty}</p>`;
}

export function renderStatusPage(v: FleetStatus): string {
  const now = new Date(v.generatedAt);
  const sum = (f: (n: FleetStatus['nodes'][number]) => number) => Math.round(v.nodes.reduce((a, n) => a + f(n), 0) * 100) / 100;
  const sessions = v.nodes.flatMap((n) => n.sessions.map((s) => ({ ...s, node: n.id })));
  const errors = v.nodes.flatMap((n) => n.errors.map((e) => ({ ...e, node: n.id }))).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, 15);
  const suspended = v.links.filter((l) => l.suspended).length;
  const waiting = v.queues.reduce((a, q) => a + q.waiting, 0);
  const kpi = (value: string | number, label: string, cls = '') => html`<div class="kpi"><b class="${cls}">${value}</b><span>${label}</span></div>`;
  const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_S}">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>scgw fleet status</title><style>${raw(STYLE)}</style></head><body>
<header><h1>scgw fleet</h1><span class="t">as of ${v.generatedAt} · refreshes every ${REFRESH_S} s</span></header>
<div class="kpis">
${kpi(v.nodes.length, 'nodes', v.nodes.length ? 'ok' : 'bad')}${kpi(sessions.length, 'sessions')}
${kpi(sum((n) => n.rates.moIn.m1), 'MO in /s (1 min)')}${kpi(sum((n) => n.rates.mtOut.m1), 'MT out /s (1 min)')}
${kpi(sum((n) => n.rates.moThrottled.m1), 'throttled /s (1 min)', sum((n) => n.rates.moThrottled.m1) > 0 ? 'warn' : '')}
${kpi(waiting, 'jobs waiting', waiting > 0 ? 'warn' : '')}${kpi(suspended, 'links suspended', suspended ? 'bad' : '')}
</div>
<section id="nodes"><h2>Nodes</h2>${table(['node', 'roles', 'version', 'up', 'sessions', 'MO in /s 1/5/15m', 'MT out /s 1/5/15m', 'throttled /s', 'receipts /s', 'last beat', 'state'],
    v.nodes.map((n) => html`<tr><td><b>${n.id}</b></td><td>${n.roles.join(', ')}</td><td>${n.version}</td><td>${uptime(n.uptimeS)}</td>
<td class="n">${n.sessions.length}</td><td class="n">${r3(n.rates.moIn)}</td><td class="n">${r3(n.rates.mtOut)}</td><td class="n">${r3(n.rates.moThrottled)}</td>
<td class="n">${r3(n.rates.receipts)}</td><td>${ago(n.beatAt, now)} ago</td><td>${n.draining ? html`<span class="tag warn">draining</span>` : html`<span class="tag ok">up</span>`}</td></tr>`),
    'No node has sent a heartbeat.')}</section>
<section id="links"><h2>Links</h2>${table(['link', 'direction', 'state', 'sessions', 'per node'],
    v.links.map((l) => html`<tr><td><b>${l.name}</b></td><td>${l.direction}</td>
<td>${l.suspended ? html`<span class="tag bad">suspended</span> <span class="muted">by ${l.suspended.by}, ${ago(l.suspended.at, now)} ago</span>` : l.enabled ? html`<span class="tag ok">active</span>` : html`<span class="tag warn">disabled</span>`}</td>
<td class="n ${l.total ? '' : 'warn'}">${l.total}</td><td>${l.sessions.map((s) => `${s.node}: ${s.count}`).join(' · ') || '—'}</td></tr>`),
    'No links configured.')}</section>
<section id="queues"><h2>Queues</h2>${table(['queue', 'waiting', 'active', 'delayed', 'failed', 'oldest waiting', ''],
    v.queues.map((q) => html`<tr><td><b>${q.name}</b></td><td class="n">${q.waiting}</td><td class="n">${q.active}</td><td class="n">${q.delayed}</td>
<td class="n ${q.failed ? 'bad' : ''}">${q.failed}</td><td class="n">${q.oldestWaitingS === null ? '—' : `${q.oldestWaitingS} s`}</td><td>${q.paused ? html`<span class="tag bad">held</span>` : ''}</td></tr>`),
    'No queue counts yet.')}</section>
<section id="sessions"><h2>Sessions</h2>${table(['session', 'node', 'link', 'peer', 'bind', 'bound'],
    sessions.map((s) => html`<tr><td><code>${s.id}</code></td><td>${s.node}</td><td>${s.link}</td><td>${s.peer}</td><td>${s.bindKind}${s.direction === 'outbound' ? ` (outbound${s.slot !== undefined ? `, slot ${s.slot}` : ''})` : ''}</td><td>${s.boundAt ? `${ago(s.boundAt, now)} ago` : '—'}</td></tr>`),
    'No live sessions.')}</section>
<section id="errors"><h2>Recent problems</h2>${table(['when', 'node', 'level', 'component', 'link', 'message', 'code'],
    errors.map((e) => html`<tr><td>${ago(e.at, now)} ago</td><td>${e.node}</td><td class="${e.level === 'warn' ? 'warn' : 'bad'}">${e.level}</td><td>${e.component ?? ''}</td><td>${e.link ?? ''}</td><td>${e.msg}</td><td>${e.code ?? ''}</td></tr>`),
    'Nothing logged at warn or above.')}</section>
</body></html>`;
  return page.__html;
}

/** The ops listener's /status. */
export function registerStatusPage(app: FastifyInstance, status: () => Promise<FleetStatus>) {
  app.get('/status', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderStatusPage(await status())));
}
