import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Deleted, LinkCreate, LinkPatch, LinkView } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, output, seg, type Globals } from '../api.js';

interface LinkOpts {
  password?: string; passwordFile?: string; allowSource?: string[]; rate?: number; window?: number; concat?: string;
  maxSessions?: number; moRate?: number;
  binary?: boolean; archiveFeed?: boolean; enabled?: boolean; direction?: string; host?: string; port?: number;
  connect?: { host: string; port: number }; remoteSystemId?: string; remotePassword?: string; remotePasswordFile?: string;
  systemType?: string; bindKind?: string;
  dedupeWindow?: number; binds?: number;
  vendor?: string;
}

/** `--connect HOST:PORT` (an IPv6 address in brackets: [::1]:2775). */
const hostPort = (v: string) => {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  if (!m) throw new CliError(`expected HOST:PORT, got "${v}"`, EXIT.usage);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
};

/** `--dedupe-window 60s | 2m | 90 | 0` → seconds. */
export const duration = (v: string) => {
  const m = /^(\d+)(s|m)?$/.exec(v.trim());
  if (!m) throw new CliError(`expected seconds such as 60s, 2m or 90, got "${v}"`, EXIT.usage);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

const num = (v: string) => {
  if (!/^\d+$/.test(v)) throw new CliError(`expected a number, got "${v}"`, EXIT.usage);
  return Number(v);
};
/** A number, or "off" (0) for no limit: commander turns a parser's null into '', so 0 stands for off. */
const numOrOff = (v: string) => (v === 'off' ? 0 : num(v));

/** The first line of a file (0: standard input), so a secret never sits in `ps` or shell history. */
const firstLine = (file: string | 0) => readFileSync(file, 'utf8').split('\n')[0]!.trim();

/**
 * The command's secrets: `--password-file F` / `--remote-password-file F` read a file, `--password -` /
 * `--remote-password -` read standard input (one of them at most: stdin holds one secret).
 */
function secretsOf(o: LinkOpts): { password?: string; remotePassword?: string } {
  if (o.password === '-' && o.remotePassword === '-') throw new CliError('only one secret can come from standard input; use --remote-password-file for the other', EXIT.usage);
  const read = (value: string | undefined, file: string | undefined) => (file ? firstLine(file) : value === '-' ? firstLine(0) : value);
  const password = read(o.password, o.passwordFile);
  const remotePassword = read(o.remotePassword, o.remotePasswordFile);
  return { ...(password ? { password } : {}), ...(remotePassword ? { remotePassword } : {}) };
}

/** The settings given on the command line, as API fields (only those given; secrets: secretsOf). */
function settings(o: LinkOpts): Omit<LinkPatch, 'password' | 'remotePassword'> {
  return {
    ...(o.allowSource ? { allowedSources: o.allowSource } : {}),
    ...(o.rate !== undefined ? { ratePerSecond: o.rate } : {}),
    ...(o.window !== undefined ? { window: o.window } : {}),
    ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
    ...(o.moRate !== undefined ? { moRatePerSecond: o.moRate === 0 ? null : o.moRate } : {}),
    ...(o.concat ? { concat: o.concat as LinkPatch['concat'] } : {}),
    ...(o.binary !== undefined ? { allowBinary: o.binary } : {}),
    ...(o.archiveFeed !== undefined ? { archiveFeed: o.archiveFeed } : {}),
    ...(o.enabled !== undefined ? { enabled: o.enabled } : {}),
    ...(o.direction ? { direction: o.direction as LinkPatch['direction'] } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.connect ? { direction: 'connect' as const, host: o.connect.host, port: o.connect.port } : {}),
    ...(o.remoteSystemId ? { remoteSystemId: o.remoteSystemId } : {}),
    ...(o.systemType !== undefined ? { systemType: o.systemType } : {}),
    ...(o.bindKind ? { bindKind: o.bindKind as LinkPatch['bindKind'] } : {}),
    ...(o.dedupeWindow !== undefined ? { dedupeWindowS: o.dedupeWindow } : {}),
    ...(o.binds !== undefined ? { binds: o.binds } : {}),
    ...(o.vendor ? { vendor: o.vendor } : {}),
  };
}

function linkOptions(cmd: Command): Command {
  return cmd
    .option('--password <p>', 'bind password (at most 8 characters, SMPP 3.4); - reads it from standard input')
    .option('--password-file <file>', 'read the password from a file (first line)')
    .option('--allow-source <cidr...>', 'only accept binds from these addresses (repeatable)')
    .option('--rate <n>', 'replies per second to this link', num)
    .option('--window <n>', 'PDUs in flight', num)
    .option('--max-sessions <n>', 'binds one node takes at once for this link (default 2)', num)
    .option('--mo-rate <n|off>', 'MO per second one node takes from this link, beyond: ESME_RTHROTTLED (default 1000; off or 0: no limit)', numOrOff)
    .option('--concat <mode>', 'long replies as udh8 | udh16 | sar | payload')
    .option('--binary', 'binary messages (WAP push) allowed').option('--no-binary', 'no binary messages')
    .option('--archive-feed', 'the SMSC sends copies of subscriber traffic here').option('--no-archive-feed', 'not an archive feed')
    .option('--direction <d>', 'listen (the peer binds to us) | connect (we bind to --host:--port)')
    .option('--host <host>', 'connect: the SMSC host').option('--port <port>', 'connect: the SMSC port', num)
    .option('--connect <host:port>', 'an outbound link: scgw binds to the SMSC at HOST:PORT', hostPort)
    .option('--remote-system-id <id>', 'connect: the system_id scgw binds with (default: the link name)')
    .option('--remote-password <p>', 'connect: the password scgw binds with (never shown again); - reads it from standard input')
    .option('--remote-password-file <file>', 'connect: read the remote password from a file (first line)')
    .option('--system-type <t>', 'connect: system_type of the bind')
    .option('--bind-kind <k>', 'connect: transceiver (default) | transmitter | receiver')
    .option('--dedupe-window <time>', 'fold an MO re-sent on a new bind within this time (60s, 2m; 0 = off)', duration)
    .option('--binds <n>', 'connect: nodes of the fleet that bind to the SMSC at once (default 1: one bind, taken over when its node dies)', num)
    .option('--vendor <name>', 'the peer\'s SMPP dialect (smpp/vendors): standard (default), mica, sixdee; the server lists the known ones if the name is not');
}

export function registerLinkCommands(program: Command, globals: Globals) {
  const link = program.command('link').description('SMPP links: the peers allowed to bind');

  linkOptions(link.command('add <name>').description('create a link (an SMPP account: system_id NAME)'))
    .action(async (name: string, o: LinkOpts) => {
      const secrets = secretsOf(o);
      const connect = o.connect !== undefined || o.direction === 'connect';
      if (!secrets.password && !connect) throw new CliError('give --password or --password-file (or --connect HOST:PORT)', EXIT.usage);
      const body = { name, ...secrets, ...settings(o) } as LinkCreate;
      const created = await api<LinkView>(globals(), 'POST', '/admin/links', body);
      output(globals().json, created, () => (created.direction === 'connect'
        ? `link ${created.name} created (scgw binds to ${created.host}:${created.port} as ${created.remoteSystemId ?? created.name})`
        : `link ${created.name} created${created.allowedSources.length ? ` (binds from ${created.allowedSources.join(', ')})` : ''}`));
    });

  link.command('list').description('list links').action(async () => {
    const rows = await api<LinkView[]>(globals(), 'GET', '/admin/links');
    output(globals().json, rows, () => (rows.length
      ? [['name', 'bound', 'binds', 'rate/s', 'window', 'concat', 'sources'].join('\t'),
        // binds: how many nodes bind an outbound link at once (listen links: -).
        ...rows.map((r) => [r.name, r.bound ?? 0, r.direction === 'connect' ? r.binds ?? 1 : '-', r.ratePerSecond, r.window, r.concat, r.allowedSources.join(',') || 'any'].join('\t'))]
      : 'no links yet: scgw link add NAME --password P'));
  });

  link.command('show <name>').description('show one link (never its password)').action(async (name: string) => {
    const l = await api<LinkView>(globals(), 'GET', `/admin/links/${seg(name)}`);
    output(globals().json, l, () => Object.entries(l).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') || '-' : String(v)}`));
  });

  linkOptions(link.command('update <name>').description('change a link, including its bind password'))
    .option('--enable', 'accept binds').option('--disable', 'refuse binds')
    .action(async (name: string, o: LinkOpts & { enable?: boolean; disable?: boolean }) => {
      const secrets = secretsOf(o);
      const password = secrets.password;
      const body: LinkPatch = { ...settings({ ...o, ...(o.enable ? { enabled: true } : o.disable ? { enabled: false } : {}) }), ...secrets };
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see scgw link update --help)', EXIT.usage);
      const l = await api<LinkView>(globals(), 'PATCH', `/admin/links/${seg(name)}`, body);
      output(globals().json, l, () => `link ${name} updated (config version ${l.configVersion ?? '?'})${password ? '; new password set' : ''}`);
    });

  link.command('rm <name>').description('delete a link').action(async (name: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/links/${seg(name)}`);
    output(globals().json, d, () => `link ${name} deleted`);
  });
}
