/**
 * The admin API's OpenAPI 3.1 document, built from the zod schemas in schemas.ts. OPERATIONS lists every
 * /admin route next to the schemas its handler parses with; test/web/admin/openapi.test.ts checks that
 * every route the app registers is listed here, so the document cannot fall behind the code.
 */
import { z, type ZodTypeAny } from 'zod';
import { toJsonSchema, type JsonSchema } from './json-schema.js';
import * as s from './schemas.js';

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** fastify syntax: /admin/routes/:id */
  path: string;
  tag: string;
  summary: string;
  query?: z.AnyZodObject;
  body?: ZodTypeAny;
  /** Request media types besides application/json (the same shape, another syntax). */
  alsoAccepts?: string[];
  /** Success status and body (omitted: 200 with no schema). */
  ok?: { status: number; body?: ZodTypeAny; type?: string };
  public?: boolean;
}

const changed = 'Validated as a whole config (422 with the problems when refused), recorded as a new config version, picked up by every node within a second.';

export const OPERATIONS: readonly Operation[] = [
  { method: 'GET', path: '/admin/routes', tag: 'routes', summary: 'List routes, optionally of one short code', query: s.routeQuery, ok: { status: 200, body: z.array(s.routeView) } },
  { method: 'POST', path: '/admin/routes', tag: 'routes', summary: `Create a route. ${changed}`, body: s.routeCreate, ok: { status: 201, body: s.routeView } },
  { method: 'GET', path: '/admin/routes/:id', tag: 'routes', summary: 'Show a route', ok: { status: 200, body: s.routeView } },
  { method: 'PATCH', path: '/admin/routes/:id', tag: 'routes', summary: `Change some fields of a route. ${changed}`, body: s.routePatch, ok: { status: 200, body: s.routeView } },
  { method: 'DELETE', path: '/admin/routes/:id', tag: 'routes', summary: `Delete a route. ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/templates', tag: 'templates', summary: 'List reply templates (help texts are help.<short code>)', query: s.templateQuery, ok: { status: 200, body: z.array(s.templateView) } },
  { method: 'GET', path: '/admin/templates/:key/:locale', tag: 'templates', summary: 'Show a template in one locale', ok: { status: 200, body: s.templateView } },
  { method: 'PUT', path: '/admin/templates/:key/:locale', tag: 'templates', summary: `Create or replace a template. Placeholders must be ones its actions fill in. ${changed}`, body: s.templateSet, ok: { status: 200, body: s.templateView } },
  { method: 'DELETE', path: '/admin/templates/:key/:locale', tag: 'templates', summary: `Delete a template. ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/links', tag: 'links', summary: 'List SMPP links (never their passwords)', ok: { status: 200, body: z.array(s.linkView) } },
  { method: 'POST', path: '/admin/links', tag: 'links', summary: `Create a link. ${changed}`, body: s.linkCreate, ok: { status: 201, body: s.linkView } },
  { method: 'GET', path: '/admin/links/:name', tag: 'links', summary: 'Show a link', ok: { status: 200, body: s.linkView } },
  { method: 'PATCH', path: '/admin/links/:name', tag: 'links', summary: `Change a link, including its bind password. ${changed}`, body: s.linkPatch, ok: { status: 200, body: s.linkView } },
  { method: 'DELETE', path: '/admin/links/:name', tag: 'links', summary: `Delete a link. ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/menus', tag: 'menus', summary: 'List USSD menus', ok: { status: 200, body: z.array(s.menuView) } },
  { method: 'POST', path: '/admin/menus', tag: 'menus', summary: `Create the menu of a USSD code. ${changed}`, body: s.menuCreate, ok: { status: 201, body: s.menuView } },
  { method: 'GET', path: '/admin/menus/:code', tag: 'menus', summary: 'Show the menu of a USSD code (URL-encode it: %2A111%23)', ok: { status: 200, body: s.menuView } },
  { method: 'PUT', path: '/admin/menus/:code', tag: 'menus', summary: `Create or replace the menu of a USSD code. ${changed}`, body: s.menuSet, alsoAccepts: ['application/yaml'], ok: { status: 200, body: s.menuView } },
  { method: 'DELETE', path: '/admin/menus/:code', tag: 'menus', summary: `Delete a menu. ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/tokens', tag: 'tokens', summary: 'List admin tokens (names and ids, never secrets)', ok: { status: 200, body: z.array(s.tokenView) } },
  { method: 'POST', path: '/admin/tokens', tag: 'tokens', summary: 'Create an admin token; the secret is in this response only', body: s.tokenCreate, ok: { status: 201, body: s.tokenCreated } },
  { method: 'PATCH', path: '/admin/tokens/:id', tag: 'tokens', summary: 'Set a token\'s send API limits (allowed sources, rate, daily quota) or rotate its callback-signing secret', body: s.tokenUpdate, ok: { status: 200, body: s.tokenUpdated } },
  { method: 'DELETE', path: '/admin/tokens/:id', tag: 'tokens', summary: 'Revoke a token (not the last one)', ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/storage', tag: 'storage', summary: 'Rows and bytes per table, Redis memory and queue counts, the retention policy and its last run', ok: { status: 200, body: s.storageView } },

  { method: 'GET', path: '/admin/status', tag: 'fleet', summary: 'The fleet: every node\'s heartbeat (sessions, queues, rates, recent problems), links with their sessions per node and suspensions, queue depths. format=html: the status page', query: s.statusQuery, ok: { status: 200, body: s.fleetStatus } },
  { method: 'POST', path: '/admin/links/:name/suspend', tag: 'fleet', summary: 'Suspend a link on every node: its MO are answered ESME_RTHROTTLED and its replies are held in Redis until resume', ok: { status: 200, body: s.linkSuspension } },
  { method: 'POST', path: '/admin/links/:name/resume', tag: 'fleet', summary: 'Resume a suspended link: MO are taken again and held replies flow', ok: { status: 200, body: s.linkSuspension } },
  { method: 'POST', path: '/admin/sessions/:id/kick', tag: 'fleet', summary: 'Close one live bind (a session id from /admin/status), on whichever node holds it', ok: { status: 202, body: s.kickResult } },
  { method: 'POST', path: '/admin/nodes/:id/drain', tag: 'fleet', summary: 'Drain a node: it stops taking binds, unbinds its peers, finishes in-flight work and exits 0', ok: { status: 202, body: s.drainResult } },

  { method: 'GET', path: '/admin/config/versions', tag: 'config', summary: 'List config versions, newest first: who, when, what changed', query: s.versionsQuery, ok: { status: 200, body: z.array(s.versionView) } },
  { method: 'GET', path: '/admin/config/versions/:v', tag: 'config', summary: 'Show one version with its whole config (no secrets)', ok: { status: 200, body: s.versionView.extend({ config: s.configDoc }) } },
  { method: 'GET', path: '/admin/config/versions/:v/diff', tag: 'config', summary: 'What version v changed against version `against` (default: the recorded one before)', query: s.diffQuery, ok: { status: 200, body: s.diffView } },
  { method: 'POST', path: '/admin/config/rollback', tag: 'config', summary: `Make an old version current again, as a new version. ${changed}`, body: s.rollbackBody, ok: { status: 200, body: s.changeResult } },
  { method: 'GET', path: '/admin/config/export', tag: 'config', summary: 'The whole config as JSON or YAML (no secrets), for git', query: s.exportQuery, ok: { status: 200, body: s.configDoc } },
  { method: 'POST', path: '/admin/config/import', tag: 'config', summary: `Replace the whole config with a document (application/json or application/yaml); links and menus are left alone when the document has none. ${changed}`, query: s.importQuery, body: s.configDoc, alsoAccepts: ['application/yaml'], ok: { status: 200, body: s.changeResult } },

  { method: 'POST', path: '/admin/dry-run', tag: 'dry run', summary: 'What would this MO do: the route and why, the action, the reply; nothing is acted on', body: s.dryRunBody, ok: { status: 200, body: s.dryRunView } },

  { method: 'GET', path: '/admin/blocklist', tag: 'block list', summary: 'List blocked numbers and prefixes', ok: { status: 200, body: z.array(s.blockView) } },
  { method: 'POST', path: '/admin/blocklist', tag: 'block list', summary: `Block a number (79161234567) or a prefix (7916*): its MO are recorded and not acted on, nothing is sent to it. ${changed}`, body: s.blockEntry, ok: { status: 201, body: s.blockView } },
  { method: 'DELETE', path: '/admin/blocklist/:pattern', tag: 'block list', summary: `Unblock a number or prefix. ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/messages', tag: 'messages', summary: 'Search MO and MT by number, short code, link, time and state, newest first; any token (numbers masked unless it grants read)', query: s.messageQueryFields, ok: { status: 200, body: s.messagePage } },
  { method: 'GET', path: '/admin/messages/export', tag: 'messages', summary: 'The same rows as CSV, oldest first, streamed (a time range is required)', query: s.messageExportFields, ok: { status: 200, type: 'text/csv' } },

  { method: 'GET', path: '/admin/apps', tag: 'apps', summary: 'List HTTP apps (never their secrets: secretSet only)', ok: { status: 200, body: z.array(s.appView) } },
  { method: 'POST', path: '/admin/apps', tag: 'apps', summary: `Create an app a keyword forwards its MO to (route action app.forward, param app). Without secret, one is generated; the secret is in this response only. ${changed}`, body: s.appCreate, ok: { status: 201, body: s.appCreated } },
  { method: 'GET', path: '/admin/apps/:name', tag: 'apps', summary: 'Show an app', ok: { status: 200, body: s.appView } },
  { method: 'PATCH', path: '/admin/apps/:name', tag: 'apps', summary: `Change an app, including its signing secret. ${changed}`, body: s.appPatch, ok: { status: 200, body: s.appView } },
  { method: 'DELETE', path: '/admin/apps/:name', tag: 'apps', summary: `Delete an app (refused while a route forwards to it). ${changed}`, ok: { status: 200, body: s.deleted } },

  { method: 'GET', path: '/admin/openapi.json', tag: 'docs', summary: 'This document', public: true, ok: { status: 200 } },
  { method: 'GET', path: '/admin/docs', tag: 'docs', summary: 'This document as a page', public: true, ok: { status: 200, type: 'text/html' } },
];

/** Schemas that appear under their own name (and make z.lazy recursion finite). */
const COMPONENTS = new Map<ZodTypeAny, string>([
  [s.errorBody, 'Error'], [s.configRejected, 'ConfigRejected'], [s.configProblem, 'ConfigProblem'],
  [s.routeView, 'Route'], [s.linkView, 'Link'], [s.templateView, 'Template'], [s.menuView, 'Menu'],
  [s.menuItem, 'MenuItem'], [s.menuNode, 'MenuNode'], [s.menuText, 'MenuText'], [s.routeDef, 'RouteDef'],
  [s.configDoc, 'ConfigDocument'], [s.diffView, 'Diff'], [s.changeResult, 'ChangeResult'], [s.deleted, 'Deleted'],
  [s.appView, 'App'],
  [s.fleetStatus, 'FleetStatus'], [s.nodeStatus, 'NodeStatus'], [s.queueStatus, 'QueueStatus'], [s.sessionStatus, 'SessionStatus'],
]);

export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors = (codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), {
    description: c === 422 ? 'the resulting config was refused' : 'error', content: { 'application/json': { schema: ref(c === 422 ? 'ConfigRejected' : 'Error') } },
  }]));
  for (const op of OPERATIONS) {
    const pathParams = [...op.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = op.query ? Object.entries(op.query.shape).map(([name, field]) => ({
      name, in: 'query', required: !(field as ZodTypeAny).isOptional() && (field as ZodTypeAny)._def.typeName !== 'ZodDefault', schema: toJsonSchema(field as ZodTypeAny, COMPONENTS, false),
    })) : [];
    const ok = op.ok ?? { status: 200 };
    const content = ok.body ? { 'application/json': { schema: toJsonSchema(ok.body, COMPONENTS, false) } } : ok.type ? { [ok.type]: {} } : undefined;
    (paths[openApiPath(op.path)] ??= {})[op.method.toLowerCase()] = {
      tags: [op.tag],
      summary: op.summary,
      ...(pathParams.length + queryParams.length ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(op.body ? { requestBody: { required: true, content: Object.fromEntries(['application/json', ...(op.alsoAccepts ?? [])].map((t) => [t, { schema: toJsonSchema(op.body!, COMPONENTS, false) }])) } } : {}),
      responses: { [String(ok.status)]: { description: 'ok', ...(content ? { content } : {}) }, ...errors(op.public ? [] : [400, 401, 404, 409, 422]) },
      ...(op.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'scgw admin API', version: '1', description: 'Routes, templates, links, USSD menus, tokens, versioned config and dry run. Send Authorization: Bearer <token>.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: Object.fromEntries([...COMPONENTS].map(([schema, name]) => [name, toJsonSchema(schema, COMPONENTS, true)])),
    },
  };
}

function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}
