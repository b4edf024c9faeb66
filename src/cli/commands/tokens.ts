import { Option, type Command } from 'commander';
import { TOKEN_SCOPES, type Deleted, type TokenCreate, type TokenCreated, type TokenView } from '../../web/admin/schemas.js';
import { api, output, seg, type Globals } from '../api.js';

export function registerTokenCommands(program: Command, globals: Globals) {
  const token = program.command('token').description('admin API tokens (stored hashed; a secret is shown once)');

  token.command('create <name>').description('create a token (needs an admin token); its name is recorded as "who" on config versions')
    .addOption(new Option('--scope <scope...>', 'what it may do (repeatable; default admin): read, write (includes read), send, admin, ussd (POST /ussd only)').choices(TOKEN_SCOPES))
    .option('--expires <when>', 'refused after this instant (ISO 8601, e.g. 2027-01-01T00:00:00Z)')
    .action(async (name: string, o: { scope?: TokenCreate['scopes']; expires?: string }) => {
      const body: TokenCreate = { name, ...(o.scope ? { scopes: o.scope } : {}), ...(o.expires ? { expiresAt: o.expires } : {}) };
      const t = await api<TokenCreated>(globals(), 'POST', '/admin/tokens', body);
      output(globals().json, t, () => [`token "${t.name}" created (id ${t.id}, scopes ${t.scopes.join(', ')}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}). It is shown only now; store it:`, t.token]);
    });

  token.command('list').description('list tokens (never their secrets)').action(async () => {
    const rows = await api<TokenView[]>(globals(), 'GET', '/admin/tokens');
    output(globals().json, rows, () => ['id\tname\tscopes\texpires\tcreated', ...rows.map((t) => `${t.id}\t${t.name}\t${t.scopes.join(',')}\t${t.expiresAt ?? '-'}\t${t.createdAt}`)]);
  });

  token.command('rm <id>').description('revoke a token (not the last one)').action(async (id: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/tokens/${seg(id)}`);
    output(globals().json, d, () => `token ${id} revoked`);
  });
}
