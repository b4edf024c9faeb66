import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Deleted, TemplateView } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, output, query, seg, type Globals } from '../api.js';

export function registerTemplateCommands(program: Command, globals: Globals) {
  const template = program.command('template').description('reply templates per locale (en, ru); help texts are help.<short code>');

  template.command('list').description('list templates').option('--key <key>', 'only this key').option('--locale <locale>', 'only this locale')
    .action(async (o: { key?: string; locale?: string }) => {
      const rows = await api<TemplateView[]>(globals(), 'GET', `/admin/templates${query({ key: o.key, locale: o.locale })}`);
      output(globals().json, rows, () => (rows.length ? rows.map((t) => `${t.key}\t${t.locale}\t${t.body}`) : 'no templates'));
    });

  template.command('show <key> <locale>').description('show one template').action(async (key: string, locale: string) => {
    const t = await api<TemplateView>(globals(), 'GET', `/admin/templates/${seg(key)}/${seg(locale)}`);
    output(globals().json, t, () => t.body);
  });

  template.command('set <key> <locale> [body]').description('create or replace a template (placeholders such as {password} are checked)')
    .option('--file <file>', 'read the body from a file (trailing newline dropped)')
    .action(async (key: string, locale: string, body: string | undefined, o: { file?: string }) => {
      const text = o.file ? readFileSync(o.file, 'utf8').replace(/\r?\n$/, '') : body;
      if (text === undefined) throw new CliError('give the body as an argument or with --file', EXIT.usage);
      const t = await api<TemplateView>(globals(), 'PUT', `/admin/templates/${seg(key)}/${seg(locale)}`, { body: text });
      output(globals().json, t, () => `template ${key}/${locale} saved (config version ${t.configVersion ?? '?'})`);
    });

  template.command('rm <key> <locale>').description('delete a template').action(async (key: string, locale: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/templates/${seg(key)}/${seg(locale)}`);
    output(globals().json, d, () => `template ${key}/${locale} deleted (config version ${d.configVersion ?? '?'})`);
  });
}
