import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AppCreate, AppCreated, AppPatch, AppView, Deleted } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, output, seg, type Globals } from '../api.js';

interface AppOpts {
  endpoint?: string; secret?: string; secretFile?: string; timeout?: number; attempts?: number; backoff?: number; concurrency?: number;
  fallback?: string; fallbackTemplate?: string; enable?: boolean; disable?: boolean;
}

const num = (v: string) => {
  if (!/^\d+$/.test(v)) throw new CliError(`expected a number, got "${v}"`, EXIT.usage);
  return Number(v);
};

/** `--secret-file F` reads a file's first line, `--secret -` standard input: a secret stays out of `ps` and history. */
function secretOf(o: AppOpts): string | undefined {
  const first = (file: string | 0) => readFileSync(file, 'utf8').split('\n')[0]!.trim();
  if (o.secretFile) return first(o.secretFile);
  return o.secret === '-' ? first(0) : o.secret;
}

/** The settings given on the command line, as API fields (only those given). */
function settings(o: AppOpts): Omit<AppPatch, 'secret'> {
  return {
    ...(o.endpoint ? { url: o.endpoint } : {}),
    ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
    ...(o.attempts !== undefined ? { maxAttempts: o.attempts } : {}),
    ...(o.backoff !== undefined ? { backoffMs: o.backoff } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.fallback !== undefined ? { fallbackText: o.fallback === '' ? null : o.fallback } : {}),
    ...(o.fallbackTemplate ? { fallbackTemplate: o.fallbackTemplate } : {}),
    ...(o.enable ? { enabled: true } : o.disable ? { enabled: false } : {}),
  };
}

function appOptions(cmd: Command): Command {
  return cmd
    .option('--secret <s>', 'HMAC signing secret, 16+ characters (default on add: generated); - reads it from standard input')
    .option('--secret-file <file>', 'read the secret from a file (first line)')
    .option('--timeout <ms>', 'one POST, answer included (default 5000)', num)
    .option('--attempts <n>', 'POSTs per MO at most, then the fallback (default 3)', num)
    .option('--backoff <ms>', 'wait before the second attempt, doubled after each (default 1000)', num)
    .option('--concurrency <n>', 'POSTs in flight to this app per node (default 4)', num)
    .option('--fallback <text>', 'fallback text when the app cannot answer ("" clears it: the template is used)')
    .option('--fallback-template <key>', 'fallback template (default app.fallback)')
    .option('--enable', 'post forwards').option('--disable', 'send the fallback without posting');
}

function lines(a: AppView): string[] {
  return Object.entries(a).map(([k, v]) => `${k}: ${v === null ? '-' : String(v)}`);
}

export function registerAppCommands(program: Command, globals: Globals) {
  const app = program.command('app').description('HTTP apps: services a keyword forwards its MO to (route action app.forward)');

  // The URL is an argument: --url is the global option naming the gateway.
  appOptions(app.command('add <name> <url>').description('create an app: MO forwarded to it are POSTed to URL (http or https)'))
    .action(async (name: string, url: string, o: AppOpts) => {
      const secret = secretOf(o);
      const body: AppCreate = { name, ...settings(o), url, ...(secret ? { secret } : {}) };
      const created = await api<AppCreated>(globals(), 'POST', '/admin/apps', body);
      output(globals().json, created, () => [
        `app ${created.name} created (config version ${created.configVersion ?? '?'}): MO go to ${created.url}`,
        `secret: ${created.secret}`,
        'The secret is shown only now: give it to the app, which checks X-Scgw-Signature with it.',
      ]);
    });

  app.command('list').description('list apps (never their secrets)').action(async () => {
    const rows = await api<AppView[]>(globals(), 'GET', '/admin/apps');
    output(globals().json, rows, () => (rows.length
      ? [['name', 'url', 'timeout', 'attempts', 'concurrency', 'enabled', 'secret'].join('\t'),
        ...rows.map((r) => [r.name, r.url, `${r.timeoutMs}ms`, r.maxAttempts, r.concurrency, r.enabled ? 'yes' : 'no', r.secretSet ? 'set' : 'none'].join('\t'))]
      : 'no apps yet: scgw app add NAME URL'));
  });

  app.command('show <name>').description('show one app (never its secret)').action(async (name: string) => {
    const a = await api<AppView>(globals(), 'GET', `/admin/apps/${seg(name)}`);
    output(globals().json, a, () => lines(a));
  });

  appOptions(app.command('update <name>').description('change an app, including its secret').option('--endpoint <url>', 'a new http(s) URL the MO are POSTed to'))
    .action(async (name: string, o: AppOpts) => {
      const secret = secretOf(o);
      const body: AppPatch = { ...settings(o), ...(secret ? { secret } : {}) };
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see scgw app update --help)', EXIT.usage);
      const a = await api<AppView>(globals(), 'PATCH', `/admin/apps/${seg(name)}`, body);
      output(globals().json, a, () => `app ${name} updated (config version ${a.configVersion ?? '?'})${secret ? '; new secret set' : ''}`);
    });

  app.command('rm <name>').description('delete an app (refused while a route forwards to it)').action(async (name: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/apps/${seg(name)}`);
    output(globals().json, d, () => `app ${name} deleted`);
  });
}
