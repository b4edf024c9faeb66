import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { ChangeResult, DiffView, VersionView } from '../../web/admin/schemas.js';
import { api, apiText, CliError, EXIT, output, query, type Globals } from '../api.js';

const version = (v: string) => {
  if (!/^\d+$/.test(v)) throw new CliError(`a version is a number, got "${v}"`, EXIT.usage);
  return Number(v);
};

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? '(none)' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** + added, - removed, ~ changed with one line per field (a password only as "changed"). */
export function renderDiff(d: DiffView): string[] {
  const out = [`version ${d.to} against ${d.from}:`];
  for (const e of d.added) out.push(`+ ${e.kind} ${e.id}  ${short(e.entry)}`);
  for (const e of d.removed) out.push(`- ${e.kind} ${e.id}`);
  for (const e of d.changed) {
    out.push(`~ ${e.kind} ${e.id}`);
    for (const f of e.fields) out.push('before' in f || 'after' in f ? `    ${f.field}: ${short(f.before)} → ${short(f.after)}` : `    ${f.field} changed`);
  }
  if (out.length === 1) out.push('  no differences');
  return out;
}

const changed = (r: ChangeResult) => (r.saved ? `saved as config version ${r.configVersion}: ${r.summary}` : `nothing saved (config version ${r.configVersion}): ${r.summary}`);

export function registerConfigCommands(program: Command, globals: Globals) {
  const config = program.command('config').description('config versions, diff, rollback, export and import');

  config.command('versions').description('list config versions, newest first').option('--limit <n>', 'how many', version)
    .action(async (o: { limit?: number }) => {
      const rows = await api<VersionView[]>(globals(), 'GET', `/admin/config/versions${query({ limit: o.limit })}`);
      output(globals().json, rows, () => (rows.length
        ? ['version\twhen\twho\twhat', ...rows.map((v) => `${v.version}\t${v.createdAt}\t${v.actor}\t${v.summary}`)]
        : 'no versions recorded yet (the first change records the current config too)'));
    });

  config.command('show <version>').description('show one version with its whole config (JSON, no secrets)').action(async (v: string) => {
    const row = await api<unknown>(globals(), 'GET', `/admin/config/versions/${version(v)}`);
    output(globals().json, row, () => JSON.stringify(row, null, 2));
  });

  config.command('diff <version>').description('what a version changed (against the one before, or --against)')
    .option('--against <version>', 'compare with this version instead', version)
    .action(async (v: string, o: { against?: number }) => {
      const d = await api<DiffView>(globals(), 'GET', `/admin/config/versions/${version(v)}/diff${query({ against: o.against })}`);
      output(globals().json, d, () => renderDiff(d));
    });

  config.command('rollback <version>').description('make an old version current again (saved as a new version)').action(async (v: string) => {
    const r = await api<ChangeResult>(globals(), 'POST', '/admin/config/rollback', { version: version(v) });
    output(globals().json, r, () => changed(r));
  });

  config.command('export').description('print the whole config (no secrets), for git')
    .addOption(new Option('--format <format>', 'json or yaml').choices(['json', 'yaml']).default('json'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (o: { format: 'json' | 'yaml'; out?: string }) => {
      const { text } = await apiText(globals(), 'GET', `/admin/config/export${query({ format: o.format })}`);
      const body = o.format === 'json' ? JSON.stringify(JSON.parse(text), null, 2) + '\n' : text;
      if (o.out) writeFileSync(o.out, body);
      else process.stdout.write(body);
    });

  config.command('import <file>').description('replace the whole config with a document (.json, or .yaml/.yml); one new version')
    .option('--check', 'validate and show what would change; save nothing')
    .action(async (file: string, o: { check?: boolean }) => {
      let text: string;
      try { text = readFileSync(file, 'utf8'); } catch (e) { throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage); }
      const contentType = /\.ya?ml$/i.test(file) ? 'application/yaml' : 'application/json';
      const res = await apiText(globals(), 'POST', `/admin/config/import${query({ check: o.check ? 'true' : undefined })}`, { text, contentType });
      const r = JSON.parse(res.text) as ChangeResult;
      output(globals().json, r, () => (o.check ? `check passed, nothing saved: ${r.summary}` : changed(r)));
    });
}
