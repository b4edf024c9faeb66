/**
 * The whole operator config as one plain document (routes, templates, links, USSD menus, block list): what a config
 * version stores, what export writes and import reads. Sorted by key, so two reads of the same config are
 * equal and diffs stay stable. As read here it holds link secrets (password hash, remote password in clear);
 * versions store it as config-secrets.ts says, and views show only allow-listed fields (config-views.ts).
 */
import { asc, eq, and } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { apps, blocklist, links, routes, templates, ussdMenus, type MenuItem, type MenuText } from '../schema/index.js';

export interface DocRoute {
  id: string;
  shortCode: string;
  kind: 'exact' | 'prefix' | 'regex' | 'any';
  keywords: string[];
  pattern: string | null;
  priority: number;
  action: string;
  params: Record<string, unknown>;
}
export interface DocTemplate { key: string; locale: string; body: string }
export type DocLink = Omit<typeof links.$inferSelect, 'createdAt'>;
export interface DocMenu { code: string; title: MenuText; items: MenuItem[] }
export interface DocBlock { pattern: string; note: string }
/** An HTTP app (issue 11); as read here it holds its signing secret in clear (config-secrets.ts stores a fingerprint). */
export type DocApp = Omit<typeof apps.$inferSelect, 'createdAt'>;

export interface ConfigDoc {
  routes: DocRoute[];
  templates: DocTemplate[];
  links: DocLink[];
  menus: DocMenu[];
  blocklist: DocBlock[];
  apps: DocApp[];
}

export const EMPTY_DOC: ConfigDoc = Object.freeze({ routes: [], templates: [], links: [], menus: [], blocklist: [], apps: [] }) as ConfigDoc;

export async function readConfigDoc(db: DbOrTx): Promise<ConfigDoc> {
  const [r, t, l, m, b, a] = await Promise.all([
    db.select().from(routes).orderBy(asc(routes.id)),
    db.select().from(templates).orderBy(asc(templates.key), asc(templates.locale)),
    db.select().from(links).orderBy(asc(links.name)),
    db.select().from(ussdMenus).orderBy(asc(ussdMenus.code)),
    db.select({ pattern: blocklist.pattern, note: blocklist.note }).from(blocklist).orderBy(asc(blocklist.pattern)),
    db.select().from(apps).orderBy(asc(apps.name)),
  ]);
  return {
    routes: r.map(({ createdAt: _c, ...route }) => route),
    templates: t,
    links: l.map(({ createdAt: _c, ...link }) => link),
    menus: m.map(({ updatedAt: _u, ...menu }) => menu),
    blocklist: b,
    apps: a.map(({ createdAt: _c, ...app }) => app),
  };
}

/** An old document may lack fields added since; sorting and defaults make it comparable with a fresh read. */
export function normaliseDoc(doc: Partial<ConfigDoc>): ConfigDoc {
  const by = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    routes: [...(doc.routes ?? [])].sort(by((r) => r.id)),
    templates: [...(doc.templates ?? [])].sort(by((t) => `${t.key}\u0000${t.locale}`)),
    links: [...(doc.links ?? [])].sort(by((l) => l.name)),
    menus: [...(doc.menus ?? [])].sort(by((m) => m.code)),
    // A version recorded before the block list existed had none.
    blocklist: [...(doc.blocklist ?? [])].sort(by((b) => b.pattern)),
    // A version recorded before apps existed had none.
    apps: [...(doc.apps ?? [])].sort(by((a) => a.name)),
  };
}

/**
 * Makes the tables hold exactly `target`: deletes what it lacks, inserts what is new, updates what differs.
 * Rows it leaves alone keep their created_at. Runs in the caller's transaction.
 */
export async function writeConfigDoc(tx: Tx, target: ConfigDoc): Promise<void> {
  const current = await readConfigDoc(tx);
  const same = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);

  const routeIds = new Map(current.routes.map((r) => [r.id, r]));
  for (const r of current.routes) if (!target.routes.some((x) => x.id === r.id)) await tx.delete(routes).where(eq(routes.id, r.id));
  for (const r of target.routes) {
    const old = routeIds.get(r.id);
    if (!old) await tx.insert(routes).values(r);
    else if (!same(old, r)) await tx.update(routes).set(r).where(eq(routes.id, r.id));
  }

  const tKey = (t: DocTemplate) => `${t.key}\u0000${t.locale}`;
  const tmpl = new Map(current.templates.map((t) => [tKey(t), t]));
  const wanted = new Set(target.templates.map(tKey));
  for (const t of current.templates) {
    if (!wanted.has(tKey(t))) await tx.delete(templates).where(and(eq(templates.key, t.key), eq(templates.locale, t.locale)));
  }
  for (const t of target.templates) {
    const old = tmpl.get(tKey(t));
    if (!old) await tx.insert(templates).values(t);
    else if (old.body !== t.body) await tx.update(templates).set({ body: t.body }).where(and(eq(templates.key, t.key), eq(templates.locale, t.locale)));
  }

  const linkNames = new Map(current.links.map((l) => [l.name, l]));
  for (const l of current.links) if (!target.links.some((x) => x.name === l.name)) await tx.delete(links).where(eq(links.name, l.name));
  for (const l of target.links) {
    const old = linkNames.get(l.name);
    if (!old) await tx.insert(links).values(l);
    else if (!same(old, { ...old, ...l })) await tx.update(links).set(l).where(eq(links.name, l.name));
  }

  const menuCodes = new Map(current.menus.map((m) => [m.code, m]));
  for (const m of current.menus) if (!target.menus.some((x) => x.code === m.code)) await tx.delete(ussdMenus).where(eq(ussdMenus.code, m.code));
  for (const m of target.menus) {
    const old = menuCodes.get(m.code);
    if (!old) await tx.insert(ussdMenus).values(m);
    else if (!same(old, m)) await tx.update(ussdMenus).set({ title: m.title, items: m.items, updatedAt: new Date() }).where(eq(ussdMenus.code, m.code));
  }

  const blocks = new Map(current.blocklist.map((b) => [b.pattern, b]));
  const wantedBlocks = new Set(target.blocklist.map((b) => b.pattern));
  for (const b of current.blocklist) if (!wantedBlocks.has(b.pattern)) await tx.delete(blocklist).where(eq(blocklist.pattern, b.pattern));
  for (const b of target.blocklist) {
    const old = blocks.get(b.pattern);
    if (!old) await tx.insert(blocklist).values(b);
    else if (old.note !== b.note) await tx.update(blocklist).set({ note: b.note }).where(eq(blocklist.pattern, b.pattern));
  }

  const appNames = new Map(current.apps.map((a) => [a.name, a]));
  for (const a of current.apps) if (!target.apps.some((x) => x.name === a.name)) await tx.delete(apps).where(eq(apps.name, a.name));
  for (const a of target.apps) {
    const old = appNames.get(a.name);
    if (!old) await tx.insert(apps).values(a);
    else if (!same(old, { ...old, ...a })) await tx.update(apps).set(a).where(eq(apps.name, a.name));
  }
}

/** JSON with object keys sorted: equal values give equal strings whatever order jsonb handed the keys back in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
