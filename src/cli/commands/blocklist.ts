import type { Command } from 'commander';
import type { BlockEntryInput, BlockView, Deleted } from '../../web/admin/schemas.js';
import { api, output, seg, type Globals } from '../api.js';

/** `scgw block`: the block list (issue 11); each change is a config version like a route's. */
export function registerBlockCommands(program: Command, globals: Globals) {
  const block = program.command('block').description('block list: numbers and prefixes the gateway takes nothing from and sends nothing to');

  block.command('add <entry>').description('block a number (79161234567) or a prefix (7916*; quote the * in a shell)')
    .option('--note <text>', 'why (shown in block list and config diffs)')
    .action(async (entry: string, o: { note?: string }) => {
      const body: BlockEntryInput = { pattern: entry, ...(o.note !== undefined ? { note: o.note } : {}) };
      const b = await api<BlockView>(globals(), 'POST', '/admin/blocklist', body);
      output(globals().json, b, () => `${b.kind} ${b.pattern} blocked (config version ${b.configVersion ?? '?'})`);
    });

  block.command('list').description('list the block list').action(async () => {
    const rows = await api<BlockView[]>(globals(), 'GET', '/admin/blocklist');
    output(globals().json, rows, () => (rows.length ? ['entry\tkind\tnote', ...rows.map((b) => `${b.pattern}\t${b.kind}\t${b.note}`)] : 'the block list is empty'));
  });

  block.command('rm <entry>').description('unblock a number or prefix').action(async (entry: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/blocklist/${seg(entry.replace(/^\+/, ''))}`);
    output(globals().json, d, () => `${d.deleted} unblocked (config version ${d.configVersion ?? '?'})`);
  });
}
