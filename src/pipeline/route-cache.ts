/**
 * The node's view of the operator config: compiled routes, templates, links and the block list. Polls the config version
 * (one indexed read) and recompiles when it moves, so every node runs a new version within a second.
 */
import type { Db } from '../db/client.js';
import { readConfig, readConfigVersion, type LinkRow } from '../db/queries/config.js';
import type { Logger } from '../log.js';
import { compileBlocklist, compileRoutes, type Blocklist, type RouteDef, type RouteTable } from '../routing/index.js';
import type { Locale } from '../actions/index.js';

export interface ConfigView {
  version: number;
  table: RouteTable;
  links: ReadonlyMap<string, LinkRow>;
  /** Numbers and prefixes nothing is taken from or sent to (issue 11); checked per MO without a query. */
  blocklist: Blocklist;
  render(key: string, locale: Locale, vars?: Record<string, string | number>): string;
}

export interface RouteCache {
  current(): ConfigView;
  refresh(): Promise<void>;
  close(): void;
}

export async function createRouteCache(deps: { db: Db; log: Logger; pollMs?: number }): Promise<RouteCache> {
  let view = await load(deps.db, deps.log);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      const v = await readConfigVersion(deps.db);
      if (v !== view.version) {
        view = await load(deps.db, deps.log);
        deps.log.info({ version: view.version }, 'config reloaded');
      }
    } catch (e) {
      deps.log.warn({ err: e }, 'config poll failed; keeping the current version');
    }
    if (!stopped) timer = setTimeout(poll, deps.pollMs ?? 250);
  };
  timer = setTimeout(poll, deps.pollMs ?? 250);
  return {
    current: () => view,
    async refresh() { view = await load(deps.db, deps.log); },
    close() { stopped = true; if (timer) clearTimeout(timer); },
  };
}

async function load(db: Db, log: Logger): Promise<ConfigView> {
  const snap = await readConfig(db);
  const defs: RouteDef[] = snap.routes.map((r) => ({
    id: r.id, shortCode: r.shortCode, kind: r.kind, keywords: r.keywords, priority: r.priority, action: r.action, params: r.params,
    ...(r.pattern ? { pattern: r.pattern } : {}),
  }));
  const { table, problems } = compileRoutes(defs);
  for (const p of problems) log.warn({ route: p.routeId, problem: p.code }, p.message);
  const templates = new Map(snap.templates.map((t) => [`${t.key}|${t.locale}`, t.body]));
  return {
    version: snap.version,
    table,
    links: new Map(snap.links.map((l) => [l.name, l])),
    blocklist: compileBlocklist(snap.blocklist),
    render: (key, locale, vars = {}) => renderTemplate(templates, key, locale, vars),
  };
}

/** `{name}` placeholders; locale falls back to English, a missing key to `help.default`. */
export function renderTemplate(templates: ReadonlyMap<string, string>, key: string, locale: Locale, vars: Record<string, string | number>): string {
  const body = templates.get(`${key}|${locale}`) ?? templates.get(`${key}|en`)
    ?? templates.get(`help.default|${locale}`) ?? templates.get('help.default|en') ?? '';
  return body.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
