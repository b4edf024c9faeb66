import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { EMPTY_DOC, readConfigDoc, writeConfigDoc } from '../../db/queries/config-doc.js';
import { fingerprintKey, resolveStoredDoc } from '../../db/queries/config-secrets.js';
import { diffConfigDocs } from '../../db/queries/config-diff.js';
import { getVersion, listVersions, previousVersion } from '../../db/queries/config-versions.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { exportDoc } from './config-io.js';
import { diffQuery, rollbackBody, versionParam, versionsQuery, type ChangeResult, type DiffView, type VersionView } from './schemas.js';

/** Config history: list versions, show one, diff two, roll back to one (written anew as the next version). */
export function registerConfigVersions(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/config/versions', async (req): Promise<VersionView[]> => {
    const { limit } = versionsQuery.parse(req.query ?? {});
    return (await listVersions(deps.db, limit)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }));
  });

  app.get('/admin/config/versions/:v', async (req) => {
    const v = versionParam.parse(param(req, 'v'));
    const row = (await getVersion(deps.db, v)) ?? notFound(`recorded config version ${v}`);
    return { version: row.version, actor: row.actor, summary: row.summary, createdAt: row.createdAt.toISOString(), config: exportDoc(row.doc, row.version) };
  });

  app.get('/admin/config/versions/:v/diff', async (req): Promise<DiffView> => {
    const v = versionParam.parse(param(req, 'v'));
    const { against } = diffQuery.parse(req.query ?? {});
    const to = (await getVersion(deps.db, v)) ?? notFound(`recorded config version ${v}`);
    const w = against ?? (await previousVersion(deps.db, v)) ?? 0;
    // Version 0 is the empty config: diffing the first recorded version against it lists everything as added.
    const from = w === 0 ? EMPTY_DOC : ((await getVersion(deps.db, w)) ?? notFound(`recorded config version ${w}`)).doc;
    return { from: w, to: v, ...diffConfigDocs(from, to.doc) };
  });

  app.post('/admin/config/rollback', async (req): Promise<ChangeResult> => {
    const { version } = rollbackBody.parse(req.body ?? {});
    const target = (await getVersion(deps.db, version)) ?? notFound(`recorded config version ${version}`);
    // Remote passwords are not in snapshots: each link keeps its current one (config-secrets.ts).
    let kept: string[] = [];
    const out = await applyChange(deps.db, req, async (tx) => {
      const resolved = resolveStoredDoc(target.doc, await readConfigDoc(tx), await fingerprintKey(tx));
      const missingApps = resolved.missing.filter((m) => m.startsWith('app ')).map((m) => m.slice(4));
      const missingLinks = resolved.missing.filter((m) => !m.startsWith('app '));
      if (missingLinks.length) {
        conflict(`version ${version} has link ${missingLinks.join(', ')} with a remote password that versions do not store; `
          + 'create the link again with its remote password (scgw link add … --remote-password-file), then roll back');
      }
      // Apps' signing secrets are not in snapshots either (config-secrets.ts).
      if (missingApps.length) {
        conflict(`version ${version} has app ${missingApps.join(', ')}, whose signing secret versions do not store; `
          + 'create the app again (scgw app add), then roll back');
      }
      kept = resolved.kept;
      await writeConfigDoc(tx, resolved.doc);
    }, { reason: `rollback to version ${version}` });
    if (kept.length) req.log.info({ version, links: kept }, 'rollback kept the current remote password of these links');
    return { configVersion: out.version, saved: out.saved, summary: out.summary };
  });
}
