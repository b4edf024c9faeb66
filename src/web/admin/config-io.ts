import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { readConfigVersion } from '../../db/queries/config.js';
import { normaliseDoc, readConfigDoc, writeConfigDoc, type ConfigDoc, type DocApp, type DocLink } from '../../db/queries/config-doc.js';
import { applyChange } from './change.js';
import { appImport, CONFIG_FORMAT, configDoc, exportQuery, importQuery, linkImport, type ChangeResult, type ConfigProblem } from './schemas.js';
import { ConfigRejected } from './validate.js';
import { toYaml } from './yaml.js';

/** The link fields an export carries: everything an operator sets, never a password (import may carry one). */
const SECRET_INPUTS = new Set(['name', 'password', 'remotePassword']);
const LINK_FIELDS = ['name', ...Object.keys(linkImport.innerType().shape).filter((k) => !SECRET_INPUTS.has(k))];
/** The app fields an export carries: never the secret, only whether one is set. */
const APP_FIELDS = Object.keys(appImport.shape).filter((k) => k !== 'secret' && k !== 'secretSet');

/** An app as a view or an export shows it: allow-listed fields and `secretSet` (as read, or as stored with a fingerprint). */
export function appEntry(a: object): Record<string, unknown> {
  const e = a as Record<string, unknown>;
  return { ...Object.fromEntries(APP_FIELDS.map((k) => [k, e[k]])), secretSet: e['secretFingerprint'] != null || (typeof e['secret'] === 'string' && e['secret'] !== '') };
}

/** A config document for people and git: the format tag, the version, and no secrets. */
export function exportDoc(doc: Omit<ConfigDoc, 'links' | 'apps'> & { links: readonly object[]; apps: readonly object[] }, version: number) {
  return {
    format: CONFIG_FORMAT,
    version,
    routes: doc.routes,
    templates: doc.templates,
    links: doc.links.map((l) => Object.fromEntries(LINK_FIELDS.map((k) => [k, (l as Record<string, unknown>)[k]]))),
    menus: doc.menus,
    blocklist: doc.blocklist,
    apps: doc.apps.map(appEntry),
  };
}

/**
 * Export and import of the whole config (JSON, or YAML via yaml.ts). Import replaces routes and templates,
 * and links, menus and the block list when the document has them, as one version.
 */
export function registerConfigIo(app: FastifyInstance, deps: { db: Db; linkPasswordLogN: number }) {
  app.get('/admin/config/export', async (req, reply) => {
    const { format } = exportQuery.parse(req.query ?? {});
    const { doc, version } = await deps.db.transaction(async (tx) => ({ version: await readConfigVersion(tx), doc: await readConfigDoc(tx) }));
    const out = exportDoc(doc, version);
    if (format === 'yaml') return reply.type('application/yaml; charset=utf-8').send(`# scgw config, version ${version}\n${toYaml(out)}`);
    return out;
  });

  app.post('/admin/config/import', async (req): Promise<ChangeResult> => {
    const { check } = importQuery.parse(req.query ?? {});
    const input = configDoc.parse(req.body ?? {});
    assertUnique(input);
    // Hashed before the transaction (scrypt is slow); only passwords given in the document are hashed.
    const hashes = new Map<string, string>();
    for (const l of input.links ?? []) if (l.password) hashes.set(l.name, await hashPassword(l.password, deps.linkPasswordLogN));
    const out = await applyChange(deps.db, req, async (tx) => {
      // Merged onto what the transaction sees: stored hashes, and links or menus the document leaves out.
      const current = await readConfigDoc(tx);
      await writeConfigDoc(tx, normaliseDoc({
        routes: input.routes,
        templates: input.templates,
        menus: input.menus ?? current.menus,
        blocklist: input.blocklist ?? current.blocklist,
        links: input.links ? input.links.map((l) => importedLink(l, current.links, hashes)) : current.links,
        apps: input.apps ? input.apps.map((a) => importedApp(a, current.apps)) : current.apps,
      }));
    }, { reason: 'import', check: check === 'true' });
    return { configVersion: out.version, saved: out.saved, summary: out.summary };
  });
}

type ImportedLink = NonNullable<ReturnType<typeof configDoc.parse>['links']>[number];

/** Fields from the document over the stored link (so its hash, vendor and columns the document lacks stay). */
function importedLink(l: ImportedLink, existing: readonly DocLink[], hashes: ReadonlyMap<string, string>): DocLink {
  const { password: _p, ...fields } = l;
  const old = existing.find((x) => x.name === l.name);
  const passwordHash = hashes.get(l.name) ?? old?.passwordHash;
  if (!passwordHash) throw new ConfigRejected([{ entity: 'link', id: l.name, code: 'no-password', message: 'a new link needs a password in the document' }]);
  return { ...(old ?? {}), ...fields, passwordHash } as DocLink;
}

type ImportedApp = NonNullable<ReturnType<typeof configDoc.parse>['apps']>[number];

/** Fields from the document over the stored app; its secret stays unless the document gives one. */
function importedApp(a: ImportedApp, existing: readonly DocApp[]): DocApp {
  const { secret, secretSet: _shown, ...fields } = a;
  const old = existing.find((x) => x.name === a.name);
  const kept = secret ?? old?.secret;
  if (!kept) throw new ConfigRejected([{ entity: 'app', id: a.name, code: 'no-secret', message: 'a new app needs a secret in the document' }]);
  return { ...(old ?? {}), ...fields, secret: kept } as DocApp;
}

function assertUnique(input: ReturnType<typeof configDoc.parse>): void {
  const problems: ConfigProblem[] = [];
  const once = (entity: ConfigProblem['entity'], ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push({ entity, id, code: 'duplicate', message: `${entity} ${id} appears twice in the document` });
      seen.add(id);
    }
  };
  once('route', input.routes.map((r) => r.id));
  once('template', input.templates.map((t) => `${t.key}/${t.locale}`));
  once('link', (input.links ?? []).map((l) => l.name));
  once('menu', (input.menus ?? []).map((m) => m.code));
  once('block', (input.blocklist ?? []).map((b) => b.pattern));
  once('app', (input.apps ?? []).map((a) => a.name));
  if (problems.length) throw new ConfigRejected(problems);
}
