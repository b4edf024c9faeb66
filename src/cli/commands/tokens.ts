import { Option, type Command } from 'commander';
import { TOKEN_SCOPES, type Deleted, type TokenCreate, type TokenCreated, type TokenUpdate, type TokenUpdated, type TokenView } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, output, seg, type Globals } from '../api.js';

/** `--rate 10/s`, `100/min`, or `none`. */
function parseRate(v: string): TokenUpdate['rate'] {
  if (v === 'none') return null;
  const m = /^(\d+)\/(s|sec|second|m|min|minute)$/.exec(v.trim());
  if (!m) throw new CliError(`expected a rate such as 10/s or 100/min (or none), got "${v}"`, EXIT.usage);
  return { max: Number(m[1]), per: m[2]!.startsWith('s') ? 'second' : 'minute' };
}

function parseQuota(v: string): number | null {
  if (v === 'none') return null;
  if (!/^\d+$/.test(v)) throw new CliError(`expected a number of messages per day (or none), got "${v}"`, EXIT.usage);
  return Number(v);
}

interface SendOpts { allowSource?: string[]; noSources?: boolean; rate?: string; dailyQuota?: string }

function sendLimits(o: SendOpts): Pick<TokenUpdate, 'allowedSources' | 'rate' | 'dailyQuota'> {
  return {
    ...(o.allowSource ? { allowedSources: o.allowSource } : o.noSources ? { allowedSources: [] } : {}),
    ...(o.rate !== undefined ? { rate: parseRate(o.rate) } : {}),
    ...(o.dailyQuota !== undefined ? { dailyQuota: parseQuota(o.dailyQuota) } : {}),
  };
}

const limitsText = (t: TokenView) => [
  t.allowedSources.length ? `sends as ${t.allowedSources.join(', ')}` : '',
  t.rate ? `${t.rate.max}/${t.rate.per === 'second' ? 's' : 'min'}` : '',
  t.dailyQuota !== null ? `${t.dailyQuota}/day` : '',
].filter(Boolean).join(', ');

function sendOptions(c: Command): Command {
  return c
    .option('--allow-source <addr...>', 'send API: from addresses (numbers, short codes, alphanumeric senders) the token may send as')
    .option('--rate <rate>', 'send API: at most this many messages, e.g. 10/s or 600/min (none: no cap)')
    .option('--daily-quota <n>', 'send API: messages per UTC day (none: no quota)');
}

export function registerTokenCommands(program: Command, globals: Globals) {
  const token = program.command('token').description('admin API tokens (stored hashed; a secret is shown once)');

  sendOptions(token.command('create <name>').alias('add').description('create a token (needs an admin token); its name is recorded as "who" on config versions')
    .addOption(new Option('--scope <scope...>', 'what it may do (repeatable; default admin): read, write (includes read), send, admin, ussd (POST /ussd only)').choices(TOKEN_SCOPES))
    .option('--expires <when>', 'refused after this instant (ISO 8601, e.g. 2027-01-01T00:00:00Z)'))
    .action(async (name: string, o: SendOpts & { scope?: TokenCreate['scopes']; expires?: string }) => {
      const body: TokenCreate = { name, ...(o.scope ? { scopes: o.scope } : {}), ...(o.expires ? { expiresAt: o.expires } : {}), ...sendLimits(o) };
      const t = await api<TokenCreated>(globals(), 'POST', '/admin/tokens', body);
      const limits = limitsText(t);
      output(globals().json, t, () => [
        `token "${t.name}" created (id ${t.id}, scopes ${t.scopes.join(', ')}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}${limits ? `; ${limits}` : ''}). It is shown only now; store it:`,
        t.token,
        ...(t.scopes.includes('send') || t.scopes.includes('admin') ? ['Callback signing secret (send API; shown only now):', t.callbackSecret] : []),
      ]);
    });

  sendOptions(token.command('update <id>').description('change a token\'s send API limits, or rotate its callback-signing secret'))
    .option('--no-sources', 'send API: remove every allowed source')
    .option('--rotate-callback-secret', 'a new callback-signing secret (shown once; the old one stops signing)')
    .action(async (id: string, o: SendOpts & { sources?: boolean; rotateCallbackSecret?: boolean }) => {
      const body: TokenUpdate = { ...sendLimits({ ...o, noSources: o.sources === false }), ...(o.rotateCallbackSecret ? { rotateCallbackSecret: true } : {}) };
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give --allow-source, --no-sources, --rate, --daily-quota or --rotate-callback-secret', EXIT.usage);
      const t = await api<TokenUpdated>(globals(), 'PATCH', `/admin/tokens/${seg(id)}`, body);
      output(globals().json, t, () => [
        `token ${t.id} updated${limitsText(t) ? `: ${limitsText(t)}` : ''}`,
        ...(t.callbackSecret ? ['New callback signing secret (shown only now):', t.callbackSecret] : []),
      ]);
    });

  token.command('list').description('list tokens (never their secrets)').action(async () => {
    const rows = await api<TokenView[]>(globals(), 'GET', '/admin/tokens');
    output(globals().json, rows, () => ['id\tname\tscopes\texpires\tcreated\tsend', ...rows.map((t) => `${t.id}\t${t.name}\t${t.scopes.join(',')}\t${t.expiresAt ?? '-'}\t${t.createdAt}\t${limitsText(t) || '-'}`)]);
  });

  token.command('rm <id>').description('revoke a token (not the last one)').action(async (id: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/tokens/${seg(id)}`);
    output(globals().json, d, () => `token ${id} revoked`);
  });
}
