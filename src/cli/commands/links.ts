import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LinkCreate, LinkView } from '../../web/admin/schemas.js';
import { api, CliError, type ApiOptions } from '../api.js';

export function registerLinkCommands(program: Command, globals: () => ApiOptions & { json?: boolean }) {
  const link = program.command('link').description('SMPP links: the peers allowed to bind');

  link.command('add <name>')
    .description('create a link (an SMPP account: system_id NAME)')
    .option('--password <p>', 'bind password (at most 8 characters, SMPP 3.4)')
    .option('--password-file <file>', 'read the password from a file (first line)')
    .option('--allow-source <cidr...>', 'only accept binds from these addresses (repeatable)')
    .option('--rate <n>', 'replies per second to this link', (v) => Number(v))
    .option('--window <n>', 'PDUs in flight', (v) => Number(v))
    .option('--concat <mode>', 'long replies as udh8 | udh16 | sar | payload')
    .action(async (name: string, o: { password?: string; passwordFile?: string; allowSource?: string[]; rate?: number; window?: number; concat?: string }) => {
      const password = o.passwordFile ? readFileSync(o.passwordFile, 'utf8').split('\n')[0]!.trim() : o.password;
      if (!password) throw new CliError('give --password or --password-file', 2);
      const body: LinkCreate = {
        name, password,
        ...(o.allowSource ? { allowedSources: o.allowSource } : {}),
        ...(o.rate !== undefined ? { ratePerSecond: o.rate } : {}),
        ...(o.window !== undefined ? { window: o.window } : {}),
        ...(o.concat ? { concat: o.concat as LinkCreate['concat'] } : {}),
      };
      const created = await api<LinkView>(globals(), 'POST', '/admin/links', body);
      if (globals().json) console.log(JSON.stringify(created));
      else console.log(`link ${created.name} created${created.allowedSources.length ? ` (binds from ${created.allowedSources.join(', ')})` : ''}`);
    });

  link.command('list').description('list links').action(async () => {
    const rows = await api<LinkView[]>(globals(), 'GET', '/admin/links');
    if (globals().json) return console.log(JSON.stringify(rows));
    if (!rows.length) return console.log('no links yet: scgw link add NAME --password P');
    console.log(['name', 'bound', 'rate/s', 'window', 'concat', 'sources'].join('\t'));
    for (const r of rows) console.log([r.name, r.bound ?? 0, r.ratePerSecond, r.window, r.concat, r.allowedSources.join(',') || 'any'].join('\t'));
  });

  link.command('rm <name>').description('delete a link').action(async (name: string) => {
    await api(globals(), 'DELETE', `/admin/links/${encodeURIComponent(name)}`);
    if (globals().json) console.log(JSON.stringify({ deleted: name }));
    else console.log(`link ${name} deleted`);
  });
}
