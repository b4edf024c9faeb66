/**
 * Whole-config validation, run on the config a change would leave behind (db/queries/config-versions.ts
 * calls it inside the transaction). Any problem refuses the change with 422 and says which entry and why:
 * a route that is shadowed, ties, has a bad or unsafe regex, names an unknown action or params its action
 * rejects; a template naming a placeholder its action does not fill; a template an action needs missing.
 */
import { ACTIONS } from '../../actions/index.js';
import type { ConfigDoc } from '../../db/queries/config-doc.js';
import type { MenuItem } from '../../db/schema/index.js';
import { ScgwError } from '../../errors.js';
import { compileRoutes, type RouteDef } from '../../routing/index.js';
import { MENU_MAX_DEPTH, type ConfigProblem } from './schemas.js';

export class ConfigRejected extends ScgwError {
  constructor(readonly problems: ConfigProblem[]) {
    const shown = problems.slice(0, 5).map((p) => `${p.entity} ${p.id}: ${p.code}: ${p.message}`).join('; ');
    super('SCGW_CONFIG_INVALID', `config refused (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${shown}${problems.length > 5 ? '; …' : ''}`);
    this.name = 'ConfigRejected';
  }
}

/** What the config may name beyond this process's own registries: the vendor profiles (smpp/, which web/ does not import). */
export interface KnownNames { vendors?: readonly string[] | undefined }

export function assertValidConfig(doc: ConfigDoc, known: KnownNames = {}): void {
  const problems = validateConfig(doc, known);
  if (problems.length) throw new ConfigRejected(problems);
}

const PLACEHOLDER = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g; // the syntax renderTemplate fills in

export function validateConfig(doc: ConfigDoc, known: KnownNames = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const vendors = known.vendors;
  if (vendors) {
    for (const l of doc.links) {
      if (!vendors.includes(l.vendor)) {
        problems.push({ entity: 'link', id: l.name, code: 'unknown-vendor', message: `unknown vendor "${l.vendor}"; known vendors: ${vendors.join(', ')}` });
      }
    }
  }
  const englishTemplates = new Set(doc.templates.filter((t) => t.locale === 'en').map((t) => t.key));

  const defs: RouteDef[] = doc.routes.map((r) => ({ ...r, pattern: r.pattern ?? null }));
  for (const p of compileRoutes(defs).problems) problems.push({ entity: 'route', id: p.routeId, code: p.code, message: p.message });
  for (const r of doc.routes) problems.push(...checkTarget('route', r.id, r.action, r.params, englishTemplates));

  for (const m of doc.menus) problems.push(...checkMenu(m.code, m.items, 1, englishTemplates));

  const allowed = allowedPlaceholders();
  for (const t of doc.templates) {
    const names = allowed.get(t.key) ?? [];
    for (const [, name] of t.body.matchAll(PLACEHOLDER)) {
      if (!names.includes(name as string)) {
        problems.push({
          entity: 'template', id: `${t.key}/${t.locale}`, code: 'unknown-placeholder',
          message: `{${name}} is not filled in by any action; ${names.length ? `allowed: ${names.map((n) => `{${n}}`).join(', ')}` : 'this template takes no placeholders'}`,
        });
      }
    }
  }

  for (const l of doc.links) {
    if (l.direction === 'connect' && (!l.host || !l.port)) problems.push({ entity: 'link', id: l.name, code: 'no-peer', message: 'a connect link needs host and port' });
  }
  return problems;
}

/** Template key → placeholder names: the union over every action that renders it; help texts and others take none. */
function allowedPlaceholders(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const action of ACTIONS.values()) {
    for (const [key, names] of Object.entries(action.placeholders)) out.set(key, [...new Set([...(out.get(key) ?? []), ...names])]);
  }
  return out;
}

/** A route's or menu item's action: known, its params accepted, and the templates it renders present in English. */
function checkTarget(entity: ConfigProblem['entity'], id: string, actionName: string, params: Record<string, unknown>, english: ReadonlySet<string>): ConfigProblem[] {
  const action = ACTIONS.get(actionName);
  if (!action) {
    return [{ entity, id, code: 'unknown-action', message: `action "${actionName}" does not exist; known: ${[...ACTIONS.keys()].sort().join(', ')}` }];
  }
  const parsed = action.params.safeParse(params);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
    return [{ entity, id, code: 'bad-params', message: `params rejected by ${actionName}: ${why}` }];
  }
  const out: ConfigProblem[] = [];
  const needed = Object.keys(action.placeholders);
  const named = (parsed.data as { template?: unknown }).template;
  if (actionName === 'help' && typeof named === 'string') needed.push(named);
  for (const key of needed) {
    if (!english.has(key)) out.push({ entity, id, code: 'missing-template', message: `${actionName} replies with template ${key}, which has no English text` });
  }
  return out;
}

function checkMenu(path: string, items: readonly MenuItem[], depth: number, english: ReadonlySet<string>): ConfigProblem[] {
  if (depth > MENU_MAX_DEPTH) return [{ entity: 'menu', id: path, code: 'too-deep', message: `menus nest at most ${MENU_MAX_DEPTH} levels` }];
  const out: ConfigProblem[] = [];
  for (const item of items) {
    const at = `${path} ${item.key}`;
    if (item.action !== undefined) out.push(...checkTarget('menu', at, item.action, item.params ?? {}, english));
    if (item.menu) out.push(...checkMenu(at, item.menu.items, depth + 1, english));
  }
  return out;
}
