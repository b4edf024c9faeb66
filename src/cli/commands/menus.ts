import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Deleted, MenuItemInput, MenuView } from '../../web/admin/schemas.js';
import { api, apiText, CliError, EXIT, output, seg, type Globals } from '../api.js';

/** The menu as the subscriber would see it, one line per item, submenus indented. */
function tree(items: readonly MenuItemInput[], indent = '  '): string[] {
  return items.flatMap((i) => [
    `${indent}${i.key}. ${i.label.en}${i.label.ru ? ` / ${i.label.ru}` : ''}${i.action ? ` → ${i.action}${i.params ? ` ${JSON.stringify(i.params)}` : ''}` : ''}`,
    ...(i.menu ? tree(i.menu.items, indent + '   ') : []),
  ]);
}

export function registerMenuCommands(program: Command, globals: Globals) {
  const menu = program.command('menu').description('USSD menus, one per USSD code (*111#): numbered items → action or submenu');

  menu.command('list').description('list menus').action(async () => {
    const rows = await api<MenuView[]>(globals(), 'GET', '/admin/menus');
    output(globals().json, rows, () => (rows.length ? rows.map((m) => `${m.code}\t${m.title.en}\t${m.items.length} items`) : 'no menus'));
  });

  menu.command('show <code>').description('show a menu as a tree').action(async (code: string) => {
    const m = await api<MenuView>(globals(), 'GET', `/admin/menus/${seg(code)}`);
    output(globals().json, m, () => [`${m.code} ${m.title.en}${m.title.ru ? ` / ${m.title.ru}` : ''}`, ...tree(m.items)]);
  });

  menu.command('set <code>').description('create or replace the menu of a USSD code from a file ({title, items}; .json, or .yaml/.yml)')
    .requiredOption('--file <file>', 'the menu document')
    .action(async (code: string, o: { file: string }) => {
      let text: string;
      try { text = readFileSync(o.file, 'utf8'); } catch (e) { throw new CliError(`cannot read ${o.file}: ${(e as Error).message}`, EXIT.usage); }
      const contentType = /\.ya?ml$/i.test(o.file) ? 'application/yaml' : 'application/json';
      const res = await apiText(globals(), 'PUT', `/admin/menus/${seg(code)}`, { text, contentType });
      const m = JSON.parse(res.text) as MenuView;
      output(globals().json, m, () => `menu ${m.code} saved (config version ${m.configVersion ?? '?'})`);
    });

  menu.command('rm <code>').description('delete a menu').action(async (code: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/menus/${seg(code)}`);
    output(globals().json, d, () => `menu ${code} deleted (config version ${d.configVersion ?? '?'})`);
  });
}
