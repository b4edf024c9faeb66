import type { Command } from 'commander';
import type { Deleted, TokenCreated, TokenView } from '../../web/admin/schemas.js';
import { api, output, seg, type Globals } from '../api.js';

export function registerTokenCommands(program: Command, globals: Globals) {
  const token = program.command('token').description('admin API tokens (stored hashed; a secret is shown once)');

  token.command('create <name>').description('create a token; its name is recorded as "who" on config versions').action(async (name: string) => {
    const t = await api<TokenCreated>(globals(), 'POST', '/admin/tokens', { name });
    output(globals().json, t, () => [`token "${t.name}" created (id ${t.id}). It is shown only now; store it:`, t.token]);
  });

  token.command('list').description('list tokens (never their secrets)').action(async () => {
    const rows = await api<TokenView[]>(globals(), 'GET', '/admin/tokens');
    output(globals().json, rows, () => ['id\tname\tcreated', ...rows.map((t) => `${t.id}\t${t.name}\t${t.createdAt}`)]);
  });

  token.command('rm <id>').description('revoke a token (not the last one)').action(async (id: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/tokens/${seg(id)}`);
    output(globals().json, d, () => `token ${id} revoked`);
  });
}
