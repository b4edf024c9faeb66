/**
 * web/admin/: the operator API under /admin, one file per resource, every input parsed by schemas.ts.
 * Config changes go through change.ts (validated, versioned, bumped for hot reload). Imports db/, routing/
 * and actions/; never bullmq or smpp/ (link state arrives as functions from the wiring).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { ScgwError } from '../../errors.js';
import { requireToken } from './auth.js';
import { registerBlocklist } from './blocklist.js';
import { registerConfigIo } from './config-io.js';
import { registerConfigVersions } from './config-versions.js';
import { registerDryRun, type DryRunDeps } from './dry-run.js';
import { registerFleet, type FleetDeps } from './fleet.js';
import { registerLinks, type LinksDeps } from './links.js';
import { registerMenus } from './menus.js';
import { registerMessages } from './messages.js';
import { registerRoutes } from './routes.js';
import { registerStorage, type StorageDeps } from './storage.js';
import { registerTemplates } from './templates.js';
import { registerTokens } from './tokens.js';
import { parseYaml } from './yaml.js';

export interface AdminDeps {
  db: Db;
  links: Omit<LinksDeps, 'db'>;
  dryRun: Omit<DryRunDeps, 'db'>;
  storage?: Omit<StorageDeps, 'db'>;
  /** The fleet's status and control (issue 12); left out, those routes are not served (inject-only tests). */
  fleet?: Omit<FleetDeps, 'db'>;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Registers every token-protected /admin route on `admin` (an encapsulated plugin). */
export function registerAdmin(admin: FastifyInstance, deps: AdminDeps) {
  requireToken(admin, deps.db);
  // Read by every config change's validation (change.ts): links name only known vendor profiles.
  if (deps.links.vendors) admin.decorate('knownVendors', deps.links.vendors);
  admin.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseYaml(body as string));
    } catch (e) {
      done(new ScgwError('SCGW_BAD_REQUEST', (e as Error).message), undefined);
    }
  });
  registerRoutes(admin, { db: deps.db });
  registerTemplates(admin, { db: deps.db });
  registerLinks(admin, { db: deps.db, ...deps.links });
  registerMenus(admin, { db: deps.db });
  registerTokens(admin, { db: deps.db });
  registerConfigVersions(admin, { db: deps.db });
  registerConfigIo(admin, { db: deps.db, linkPasswordLogN: deps.links.linkPasswordLogN });
  registerDryRun(admin, { db: deps.db, ...deps.dryRun });
  registerStorage(admin, { db: deps.db, ...deps.storage });
  if (deps.fleet) registerFleet(admin, { db: deps.db, ...deps.fleet });
  registerBlocklist(admin, { db: deps.db });
  registerMessages(admin, { db: deps.db });
}

export { ConfigRejected } from './validate.js';
export { registerDocs } from './docs.js';
export type { LiveConfig } from './dry-run.js';
