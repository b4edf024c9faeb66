import type { Command } from 'commander';
import type { DryRunBody, DryRunView } from '../../web/admin/schemas.js';
import { api, output, type Globals } from '../api.js';

function human(r: DryRunView, body: DryRunBody): string[] {
  const out = [
    `config version ${r.configVersion}: ${JSON.stringify(body.text)} from ${body.from} to ${body.to}`,
    `normalised ${JSON.stringify(r.normalised)}; compared as ${r.forms.map((f) => JSON.stringify(f)).join(', ') || '(nothing)'}`,
  ];
  if (r.route) {
    out.push(`route ${r.route.id} (${r.route.kind}, priority ${r.route.priority})${r.args ? `, arguments ${JSON.stringify(r.args)}` : ''}`);
    if (Object.keys(r.captures).length) out.push(`captures ${JSON.stringify(r.captures)}`);
  }
  if (r.candidates.length) {
    out.push('candidates, in decision order:');
    for (const c of r.candidates) out.push(`  ${c.matched ? '✓' : '·'} ${c.routeId} (${c.kind}, ${c.priority}): ${c.why}`);
  }
  if (r.action) out.push(`action ${r.action.name}${Object.keys(r.action.params).length ? ` ${JSON.stringify(r.action.params)}` : ''} (not run: rolled back)`);
  for (const reply of r.replies) out.push(`reply [${reply.template}, ${r.locale}]: ${reply.text}`);
  if (r.action && r.replies.length === 0) out.push('no reply');
  if (r.note) out.push(`note: ${r.note}`);
  return out;
}

export function registerDryRunCommand(program: Command, globals: Globals) {
  program.command('dry-run').description('what would this message do? (route, why, action, reply; nothing is acted on)')
    .requiredOption('--from <msisdn>', 'the subscriber number, e.g. 79161234567')
    .requiredOption('--to <shortCode>', 'the short code, e.g. 232')
    .requiredOption('--text <text>', 'the message text, e.g. "пер"')
    .option('--link <name>', 'the link it would arrive on')
    .action(async (o: DryRunBody) => {
      const body: DryRunBody = { from: o.from, to: o.to, text: o.text, ...(o.link ? { link: o.link } : {}) };
      const r = await api<DryRunView>(globals(), 'POST', '/admin/dry-run', body);
      output(globals().json, r, () => human(r, body));
    });
}
