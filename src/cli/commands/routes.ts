import { Option, type Command } from 'commander';
import type { Deleted, RouteCreate, RoutePatch, RouteView } from '../../web/admin/schemas.js';
import { api, CliError, EXIT, jsonOption, output, query, seg, type Globals } from '../api.js';

interface RouteOpts { id?: string; kind?: RouteCreate['kind']; keyword?: string[]; pattern?: string; priority?: number; action?: string; params?: string; shortCode?: string }

const int = (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new CliError(`expected an integer, got "${v}"`, EXIT.usage);
  return Number(v);
};

/** The route fields given on the command line (only those given: update sends just these). */
function fields(o: RouteOpts): RoutePatch {
  return {
    ...(o.kind ? { kind: o.kind } : {}),
    ...(o.keyword ? { keywords: o.keyword } : {}),
    ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.action ? { action: o.action } : {}),
    ...(o.params !== undefined ? { params: jsonOption('--params', o.params) as Record<string, unknown> } : {}),
  };
}

function line(r: RouteView): string {
  const what = r.kind === 'regex' ? `/${r.pattern ?? ''}/` : r.kind === 'any' ? '(anything)' : r.keywords.join(', ');
  const params = Object.keys(r.params).length ? ` ${JSON.stringify(r.params)}` : '';
  return [r.id, r.shortCode, r.kind, String(r.priority), what, r.action + params].join('\t');
}

const saved = (r: { id: string; configVersion?: number }, verb: string) => `route ${r.id} ${verb} (config version ${r.configVersion ?? '?'})`;

function routeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--kind <kind>', 'match kind').choices(['exact', 'prefix', 'regex', 'any']))
    .option('-k, --keyword <keyword...>', 'exact/prefix: the keyword and its aliases (repeatable)')
    .option('--pattern <regex>', 'regex: matched (flags iu) against the normalised text; anchor it yourself')
    .option('--priority <n>', 'higher is tried first', int)
    .option('--action <name>', 'the action to run (archive.activate, help, …)')
    .option('--params <json>', 'the action\'s params as JSON, e.g. \'{"template":"help.232"}\'');
}

export function registerRouteCommands(program: Command, globals: Globals) {
  const route = program.command('route').description('keyword routes: (short code, text) → action');

  route.command('list').description('list routes').option('--short-code <code>', 'only this short code')
    .action(async (o: { shortCode?: string }) => {
      const rows = await api<RouteView[]>(globals(), 'GET', `/admin/routes${query({ shortCode: o.shortCode })}`);
      output(globals().json, rows, () => (rows.length ? ['id\tshort code\tkind\tpriority\tmatches\taction', ...rows.map(line)] : 'no routes'));
    });

  route.command('show <id>').description('show one route').action(async (id: string) => {
    const r = await api<RouteView>(globals(), 'GET', `/admin/routes/${seg(id)}`);
    output(globals().json, r, () => JSON.stringify(r, null, 2));
  });

  routeOptions(route.command('add <shortCode>').description('add a route (validated as a whole config; a new config version)'))
    .option('--id <id>', 'route id (default: short code and first keyword, e.g. 232-on)')
    .action(async (shortCode: string, o: RouteOpts) => {
      if (!o.kind) throw new CliError('give --kind exact|prefix|regex|any', EXIT.usage);
      if (!o.action) throw new CliError('give --action NAME', EXIT.usage);
      const body = { shortCode, ...fields(o), ...(o.id ? { id: o.id } : {}) } as RouteCreate;
      const r = await api<RouteView>(globals(), 'POST', '/admin/routes', body);
      output(globals().json, r, () => saved(r, 'added'));
    });

  routeOptions(route.command('update <id>').description('change some fields of a route'))
    .option('--short-code <code>', 'move the route to another short code')
    .action(async (id: string, o: RouteOpts) => {
      const body: RoutePatch = { ...fields(o), ...(o.shortCode ? { shortCode: o.shortCode } : {}) };
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see scgw route update --help)', EXIT.usage);
      const r = await api<RouteView>(globals(), 'PATCH', `/admin/routes/${seg(id)}`, body);
      output(globals().json, r, () => saved(r, 'updated'));
    });

  route.command('rm <id>').description('delete a route').action(async (id: string) => {
    const d = await api<Deleted>(globals(), 'DELETE', `/admin/routes/${seg(id)}`);
    output(globals().json, d, () => `route ${id} deleted (config version ${d.configVersion ?? '?'})`);
  });
}
