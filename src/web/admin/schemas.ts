/**
 * Admin API request/response shapes (zod); openapi.ts turns them into the OpenAPI document.
 * The CLI imports this file for types and validation only, so it imports nothing of ours.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

// ── common ───────────────────────────────────────────────────────────────────────────────────────
export const errorBody = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof errorBody>;

export const configProblem = z.object({
  entity: z.enum(['route', 'template', 'link', 'menu', 'block', 'app']),
  id: z.string(),
  code: z.string().describe('shadowed, tie, bad-regex, unsafe-regex, unknown-action, bad-params, unknown-placeholder, missing-template, …'),
  message: z.string(),
});
export type ConfigProblem = z.infer<typeof configProblem>;
/** 422: the change would leave a config that validation refuses; nothing was saved. */
export const configRejected = errorBody.extend({ problems: z.array(configProblem) });

const configVersion = z.number().int().describe('the config version now current');
export const deleted = z.object({ deleted: z.string(), configVersion: configVersion.optional() });
export type Deleted = z.infer<typeof deleted>;

// ── links ────────────────────────────────────────────────────────────────────────────────────────
const cidr = z.string().refine((s) => {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr) return false;
  const v = isIP(addr);
  if (!v) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (v === 4 ? 32 : 128);
}, { message: 'must be an IP address or CIDR range such as 10.0.0.0/8' });

export const linkName = z.string().regex(/^[A-Za-z0-9_-]{1,15}$/, 'link names are 1–15 letters, digits, _ or - (the SMPP system_id, SMPP 3.4 §5.2.1)');
// SMPP 3.4 §4.1.1: password is a C-octet string of at most 9 octets, so 8 characters.
const linkPassword = z.string().min(1).max(8, 'SMPP 3.4 bind passwords are at most 8 characters');

// A connect link's SMSC: an IP address or a DNS name (RFC 1123 labels).
const hostName = z.string().min(1).max(253).refine((h) => isIP(h) !== 0 || /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/.test(h), {
  message: 'must be an IP address or a host name',
});
// SMPP 3.4 §4.1.1: system_id ≤ 16 octets and system_type ≤ 13, NUL included.
const remoteSystemId = z.string().min(1).max(15, 'SMPP 3.4 system_id is at most 15 characters');
const remotePassword = z.string().min(1).max(8, 'SMPP 3.4 bind passwords are at most 8 characters')
  .describe('connect: the password scgw binds with; write-only, never returned');

const linkFields = z.object({
  allowedSources: z.array(cidr).default([]),
  direction: z.enum(['listen', 'connect']).default('listen').describe('listen: the peer binds to us; connect: we bind to host:port'),
  host: hostName.nullable().default(null),
  port: z.number().int().min(1).max(65535).nullable().default(null),
  ratePerSecond: z.number().int().min(1).max(100_000).default(100),
  window: z.number().int().min(1).max(1000).default(10),
  maxSessions: z.number().int().min(1).max(100).default(2).describe('listen: binds one node takes at once for this link; one more is refused'),
  moRatePerSecond: z.number().int().min(1).max(100_000).nullable().default(1000)
    .describe('listen: MO per second one node takes from this link; beyond, ESME_RTHROTTLED (null: no limit)'),
  allowBinary: z.boolean().default(false),
  archiveFeed: z.boolean().default(false),
  dc0: z.enum(['gsm7', 'latin1']).default('gsm7'),
  gsm7Packed: z.boolean().default(false),
  concat: z.enum(['udh8', 'udh16', 'sar', 'payload']).default('udh8'),
  enabled: z.boolean().default(true),
  remoteSystemId: remoteSystemId.nullable().default(null).describe('connect: the system_id scgw binds with (default: the link name)'),
  systemType: z.string().max(12).default('').describe('connect: system_type of our bind'),
  bindKind: z.enum(['transceiver', 'transmitter', 'receiver']).default('transceiver').describe('connect: how scgw binds'),
  dedupeWindowS: z.number().int().min(0).max(3600, 'a dedupe window is at most 3600 s (it folds genuine repeats too)').default(0)
    .describe('seconds an MO re-sent on a new bind (lost ack) is folded into the first; 0 = off'),
  binds: z.number().int().min(1, 'binds is at least 1 (to bind from no node, disable the link)').max(32, 'binds is at most 32').default(1)
    .describe('connect: how many nodes of the fleet bind to the SMSC at once (a lease each in Redis; 1 = one bind fleet-wide)'),
  vendor: z.string().regex(/^[a-z0-9-]{1,32}$/, 'a vendor profile name such as standard').optional()
    .describe('the peer\'s SMPP dialect (a profile in smpp/vendors; default standard); an unknown name is refused with 422 listing the known ones'),
});
const needsPeer = (l: { direction?: string; host?: string | null; port?: number | null }) => l.direction !== 'connect' || (!!l.host && !!l.port);
const peerMessage = { message: 'a connect link needs host and port', path: ['host'] };

/**
 * `password` is what a listen link's peer binds to us with. A connect link needs none: the API stores the hash
 * of a random one nobody knows (the column stays NOT NULL, and the listener refuses binds on connect links).
 */
export const linkCreate = linkFields.extend({ name: linkName, password: linkPassword.optional(), remotePassword: remotePassword.optional() }).strict()
  .refine(needsPeer, peerMessage)
  .refine((l) => l.direction === 'connect' || !!l.password, { message: 'a listen link needs a password', path: ['password'] });
export type LinkCreate = z.input<typeof linkCreate>;
/** PATCH: any field but the name; `password` sets a new bind password. */
export const linkPatch = linkFields.partial().extend({ password: linkPassword.optional(), remotePassword: remotePassword.optional() }).strict();
export type LinkPatch = z.input<typeof linkPatch>;
/** A link as a config document holds it: a password or remote password only when it is new or changes (export never writes them). */
export const linkImport = linkFields.extend({ name: linkName, password: linkPassword.optional(), remotePassword: remotePassword.optional() }).strict().refine(needsPeer, peerMessage);

export const linkView = z.object({
  name: z.string(), allowedSources: z.array(z.string()), direction: z.string(), host: z.string().nullable(), port: z.number().nullable(),
  ratePerSecond: z.number(), window: z.number(), maxSessions: z.number().optional(), moRatePerSecond: z.number().nullable().optional(), allowBinary: z.boolean(), archiveFeed: z.boolean(), dc0: z.string(),
  gsm7Packed: z.boolean(), concat: z.string(), enabled: z.boolean(), bound: z.number().optional(), createdAt: z.string(),
  remoteSystemId: z.string().nullable().optional(), systemType: z.string().optional(), bindKind: z.string().optional(),
  remoteSecretSet: z.boolean().optional().describe('connect: whether a bind password is stored (never the password)'),
  dedupeWindowS: z.number().optional(),
  binds: z.number().optional(),
  vendor: z.string().optional(),
  configVersion: configVersion.optional(),
});
export type LinkView = z.infer<typeof linkView>;

// ── apps (issue 11): HTTP services a keyword forwards its MO to ───────────────────────────────────
export const appName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'app names are 1–32 letters, digits, _ or -');
const appUrl = z.string().max(2000).refine((u) => {
  try {
    const p = new URL(u);
    return (p.protocol === 'http:' || p.protocol === 'https:') && !p.username && !p.password;
  } catch { return false; }
}, { message: 'must be an http:// or https:// URL (no user:password@)' });
const appSecret = z.string().min(16, 'a signing secret is at least 16 characters').max(200)
  .describe('HMAC-SHA256 key of X-Scgw-Signature; write-only, never returned');
const appFields = z.object({
  url: appUrl.describe('where the MO is POSTed (JSON)'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('one POST, answer included'),
  maxAttempts: z.number().int().min(1).max(20).default(3).describe('POSTs per MO at most; then the fallback'),
  backoffMs: z.number().int().min(100).max(600_000).default(1000).describe('wait before the second attempt, doubled after each'),
  concurrency: z.number().int().min(1).max(256).default(4).describe('POSTs in flight to this app per node'),
  fallbackTemplate: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._*#-]{0,63}$/, 'a template key').default('app.fallback')
    .describe('template sent (in the MO\'s language) when the app cannot answer'),
  fallbackText: z.string().min(1).max(1600).nullable().default(null).describe('literal fallback text; overrides fallbackTemplate'),
  enabled: z.boolean().default(true).describe('false: forwards get the fallback without a POST'),
});
/** POST: without `secret`, one is generated and shown in this response only. */
export const appCreate = appFields.extend({ name: appName, secret: appSecret.optional() }).strict();
export type AppCreate = z.input<typeof appCreate>;
export const appPatch = appFields.partial().extend({ secret: appSecret.optional() }).strict();
export type AppPatch = z.input<typeof appPatch>;
/** A config document's app: its secret only when it is new or changes (export never writes it). */
export const appImport = appFields.extend({
  name: appName, secret: appSecret.optional(),
  secretSet: z.boolean().optional().describe('written by export; ignored on import (an export imports back as it is)'),
}).strict();
export const appView = z.object({
  name: z.string(), url: z.string(), timeoutMs: z.number(), maxAttempts: z.number(), backoffMs: z.number(), concurrency: z.number(),
  fallbackTemplate: z.string(), fallbackText: z.string().nullable(), enabled: z.boolean(),
  secretSet: z.boolean().describe('whether a signing secret is stored (never the secret)'),
  createdAt: z.string().optional(),
  configVersion: configVersion.optional(),
});
export type AppView = z.infer<typeof appView>;
export const appCreated = appView.extend({ secret: z.string().describe('the signing secret: in this response only') });
export type AppCreated = z.infer<typeof appCreated>;

// ── routes ───────────────────────────────────────────────────────────────────────────────────────
export const routeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'route ids are 1–64 letters, digits, . _ or -');
export const shortCode = z.string().regex(/^[0-9A-Za-z*#+]{1,20}$/, 'a short code is 1–20 digits (or a USSD string such as *111*25#)');
const routeFields = z.object({
  shortCode,
  kind: z.enum(['exact', 'prefix', 'regex', 'any']).describe('exact keyword (+aliases), prefix (keyword + arguments), regex, any (fallback)'),
  keywords: z.array(z.string().min(1).max(64)).max(100).default([]).describe('exact, prefix: the keyword and its aliases'),
  pattern: z.string().min(1).max(500).nullable().default(null).describe('regex: matched (flags iu) against the normalised text'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0).describe('higher is tried first'),
  action: z.string().min(1).max(100),
  params: z.record(z.unknown()).default({}),
});
type RouteShape = { kind?: string; keywords?: string[]; pattern?: string | null };
function kindRules(r: RouteShape, ctx: z.RefinementCtx) {
  const keywords = r.keywords?.length ?? 0;
  if ((r.kind === 'exact' || r.kind === 'prefix') && keywords === 0) ctx.addIssue({ code: 'custom', path: ['keywords'], message: `a ${r.kind} route needs at least one keyword` });
  if (r.kind === 'regex' && !r.pattern) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a regex route needs a pattern' });
  if ((r.kind === 'regex' || r.kind === 'any') && keywords > 0) ctx.addIssue({ code: 'custom', path: ['keywords'], message: `a ${r.kind} route takes no keywords` });
  if (r.kind !== 'regex' && r.pattern) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'only a regex route takes a pattern' });
}
/** POST: without an id, one is made from the short code and the first keyword. */
export const routeCreate = routeFields.extend({ id: routeId.optional() }).strict().superRefine(kindRules);
export type RouteCreate = z.input<typeof routeCreate>;
export const routePatch = routeFields.partial().strict();
export type RoutePatch = z.input<typeof routePatch>;
/** A whole route (a config document's, or a PATCH merged onto the stored one). */
export const routeDef = routeFields.extend({ id: routeId }).strict().superRefine(kindRules);
export type RouteDefInput = z.input<typeof routeDef>;
export const routeView = z.object({
  id: z.string(), shortCode: z.string(), kind: z.string(), keywords: z.array(z.string()), pattern: z.string().nullable(),
  priority: z.number(), action: z.string(), params: z.record(z.unknown()), configVersion: configVersion.optional(),
});
export type RouteView = z.infer<typeof routeView>;
export const routeQuery = z.object({ shortCode: shortCode.optional() }).strict();

// ── templates (help texts are templates help.<short code>) ───────────────────────────────────────
export const locale = z.enum(['en', 'ru']);
export const templateKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._*#-]{0,63}$/, 'template keys are 1–64 letters, digits, . _ - * #');
export const templateSet = z.object({ body: z.string().min(1).max(1600).describe('text with {placeholder}s the action fills in') }).strict();
export const templateView = z.object({ key: templateKey, locale, body: z.string().min(1).max(1600), configVersion: configVersion.optional() });
export type TemplateView = z.infer<typeof templateView>;
export const templateEntry = templateView.omit({ configVersion: true }).strict();
export const templateQuery = z.object({ key: templateKey.optional(), locale: locale.optional() }).strict();

// ── USSD menus ───────────────────────────────────────────────────────────────────────────────────
export const ussdCode = z.string().regex(/^\*\d{1,4}(\*\d{1,4})*#$/, 'a USSD code looks like *111# or *111*2#');
export const menuText = z.object({ en: z.string().min(1).max(160), ru: z.string().min(1).max(160).optional() }).strict();
export interface MenuItemInput { key: string; label: z.infer<typeof menuText>; action?: string; params?: Record<string, unknown>; menu?: MenuNodeInput }
export interface MenuNodeInput { title: z.infer<typeof menuText>; items: MenuItemInput[] }
export const MENU_MAX_DEPTH = 5;
export const menuItem: z.ZodType<MenuItemInput> = z.lazy(() => z.object({
  key: z.string().regex(/^[1-9]$/, 'menu items are numbered 1–9'),
  label: menuText,
  action: z.string().min(1).max(100).optional(),
  params: z.record(z.unknown()).optional(),
  menu: menuNode.optional(),
}).strict().refine((i) => (i.action === undefined) !== (i.menu === undefined), { message: 'an item has either an action or a submenu' })
  .refine((i) => i.params === undefined || i.action !== undefined, { message: 'params belong to an action' }));
export const menuNode: z.ZodType<MenuNodeInput> = z.lazy(() => z.object({
  title: menuText,
  items: z.array(menuItem).min(1).max(9).refine((items) => new Set(items.map((i) => i.key)).size === items.length, { message: 'item numbers repeat' }),
}).strict());
export const menuCreate = z.object({ code: ussdCode, title: menuText, items: z.array(menuItem).min(1).max(9) }).strict()
  .refine((m) => new Set(m.items.map((i) => i.key)).size === m.items.length, { message: 'item numbers repeat', path: ['items'] });
export type MenuCreate = z.infer<typeof menuCreate>;
export const menuSet = menuNode;
export const menuView = z.object({ code: z.string(), title: menuText, items: z.array(menuItem), configVersion: configVersion.optional() });
export type MenuView = z.infer<typeof menuView>;

// ── tokens ───────────────────────────────────────────────────────────────────────────────────────
export const TOKEN_SCOPES = ['read', 'write', 'send', 'admin', 'ussd'] as const;
/** Send API (issue 11 item 3): what a `send` token may send as, how fast and how much. */
const sendRate = z.object({ max: z.number().int().min(1).max(1_000_000), per: z.enum(['second', 'minute']) }).nullable()
  .describe('at most max messages per second or minute; null: no rate cap');
function sendLimitFields() {
  return {
    allowedSources: z.array(z.string().regex(/^(\+?\d{1,15}|[A-Za-z0-9 ._-]{1,11})$/, 'a number or short code, or an alphanumeric sender of up to 11 characters')).max(100).optional()
      .describe('the from addresses the token may send as (send API); empty: none'),
    rate: sendRate.optional(),
    dailyQuota: z.number().int().min(1).max(100_000_000).nullable().optional().describe('messages per UTC day; null: no quota'),
  };
}
export const tokenCreate = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/, 'token names are 1–64 letters, digits, space . _ @ -'),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).default(['admin'])
    .describe('read: GET and dry runs; write: config changes (and read); send: sending messages; admin: everything, tokens included'),
  expiresAt: z.string().datetime({ offset: true }).nullable().default(null)
    .refine((v) => v === null || Date.parse(v) > Date.now(), 'expiresAt must be in the future')
    .describe('after this instant the token is refused (401); null: never'),
  ...sendLimitFields(),
}).strict();
export type TokenCreate = z.input<typeof tokenCreate>;
export const tokenView = z.object({
  id: z.string(), name: z.string(), scopes: z.array(z.enum(TOKEN_SCOPES)), expiresAt: z.string().nullable(), createdAt: z.string(),
  allowedSources: z.array(z.string()), rate: sendRate, dailyQuota: z.number().nullable(),
});
export type TokenView = z.infer<typeof tokenView>;
export const tokenCreated = tokenView.extend({
  token: z.string().describe('shown once; only its hash is stored'),
  callbackSecret: z.string().describe('signs the send API callbacks (X-Scgw-Signature); shown once'),
});
export type TokenCreated = z.infer<typeof tokenCreated>;
/** PATCH /admin/tokens/:id: the send API limits (left out: unchanged), or a new callback-signing secret. */
export const tokenUpdate = z.object({
  ...sendLimitFields(),
  rotateCallbackSecret: z.boolean().optional().describe('true: a new signing secret, returned in this response only'),
}).strict();
export type TokenUpdate = z.input<typeof tokenUpdate>;
export const tokenUpdated = tokenView.extend({ callbackSecret: z.string().optional().describe('only when rotated') });
export type TokenUpdated = z.infer<typeof tokenUpdated>;

// ── config versions, diff, rollback, export/import ───────────────────────────────────────────────
export const versionView = z.object({ version: z.number(), actor: z.string(), summary: z.string(), createdAt: z.string() });
export type VersionView = z.infer<typeof versionView>;
export const versionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }).strict();
export const versionParam = z.coerce.number().int().min(0);
export const diffQuery = z.object({ against: z.coerce.number().int().min(0).optional().describe('default: the recorded version before') }).strict();
const entryKind = z.enum(['route', 'template', 'link', 'menu', 'block', 'app']);
export const diffView = z.object({
  from: z.number(), to: z.number(),
  added: z.array(z.object({ kind: entryKind, id: z.string(), entry: z.record(z.unknown()) })),
  removed: z.array(z.object({ kind: entryKind, id: z.string(), entry: z.record(z.unknown()) })),
  changed: z.array(z.object({ kind: entryKind, id: z.string(), fields: z.array(z.object({ field: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })) })),
});
export type DiffView = z.infer<typeof diffView>;
export const rollbackBody = z.object({ version: z.number().int().min(0) }).strict();
export const changeResult = z.object({ configVersion, saved: z.boolean().describe('false when nothing changed or only checked'), summary: z.string() });
export type ChangeResult = z.infer<typeof changeResult>;

export const CONFIG_FORMAT = 'scgw-config/1';
/** The whole config as export writes it and import reads it. Without `links` (or `menus`, `blocklist`), import leaves those alone. */
export const configDoc = z.object({
  format: z.literal(CONFIG_FORMAT).optional(),
  version: z.number().int().optional().describe('informational: the version exported'),
  routes: z.array(routeDef),
  templates: z.array(templateEntry),
  links: z.array(linkImport).optional(),
  menus: z.array(menuCreate).optional(),
  blocklist: z.array(z.lazy(() => blockEntry)).optional(),
  apps: z.array(z.lazy(() => appImport)).optional(),
}).strict();
export type ConfigDocInput = z.input<typeof configDoc>;
export const exportQuery = z.object({ format: z.enum(['json', 'yaml']).default('json') }).strict();
export const importQuery = z.object({ check: z.enum(['true', 'false']).default('false').describe('true: validate and diff only') }).strict();

// ── dry run ──────────────────────────────────────────────────────────────────────────────────────
export const dryRunBody = z.object({
  from: z.string().regex(/^\+?\d{3,20}$/, 'from is the subscriber number (msisdn), digits only'),
  to: shortCode,
  text: z.string().max(4000),
  link: linkName.optional(),
}).strict();
export type DryRunBody = z.infer<typeof dryRunBody>;
export const dryRunView = z.object({
  configVersion: z.number().describe('the version this node routed with'),
  shortCodeKnown: z.boolean(),
  normalised: z.string(), forms: z.array(z.string()),
  route: routeView.omit({ configVersion: true }).nullable(),
  args: z.string(), captures: z.record(z.string()),
  candidates: z.array(z.object({ routeId: z.string(), kind: z.string(), priority: z.number(), matched: z.boolean(), why: z.string() })),
  action: z.object({ name: z.string(), params: z.record(z.unknown()) }).nullable(),
  locale,
  replies: z.array(z.object({ template: z.string(), text: z.string() })),
  note: z.string().nullable(),
});
export type DryRunView = z.infer<typeof dryRunView>;

// ── storage ──────────────────────────────────────────────────────────────────────────────────────
const bytes = z.number().int().describe('bytes');
export const storageView = z.object({
  postgres: z.object({
    totalBytes: bytes,
    tables: z.array(z.object({ table: z.string(), rows: z.number().int(), exact: z.boolean().describe('false: the planner\'s estimate (large tables)'), bytes: bytes.describe('table, indexes and TOAST') })),
  }),
  redis: z.object({
    usedMemoryBytes: bytes, peakMemoryBytes: bytes, maxMemoryBytes: bytes.describe('0: no limit'),
    queues: z.array(z.object({ queue: z.string(), waiting: z.number().int(), active: z.number().int(), delayed: z.number().int(), failed: z.number().int(), completed: z.number().int() })),
  }).nullable().describe('null when this node has no Redis view or Redis did not answer'),
  retention: z.object({
    policy: z.record(z.number()).describe('days each kind of row is kept (RETAIN_*), prune interval and batch'),
    lastRun: z.object({ at: z.string(), ms: z.number(), deleted: z.record(z.number()), jobs: z.object({ removed: z.number(), blanked: z.number() }) }).nullable(),
  }),
});
export type StorageView = z.infer<typeof storageView>;

// ── fleet status and control (issue 12) ──────────────────────────────────────────────────────────
const rateWindows = z.object({ m1: z.number(), m5: z.number(), m15: z.number() }).describe('per second over the last 1, 5 and 15 minutes');
export const queueStatus = z.object({
  name: z.string(), waiting: z.number().int(), active: z.number().int(), delayed: z.number().int(), failed: z.number().int(),
  paused: z.boolean().describe('held: the link is suspended'),
  oldestWaitingS: z.number().nullable().describe('age of the oldest waiting job, seconds'),
});
export const sessionStatus = z.object({
  id: z.string().describe('what `POST /admin/sessions/:id/kick` takes (outbound binds: out:<link>, not kickable)'),
  link: z.string(), peer: z.string(), bindKind: z.string(), direction: z.enum(['listener', 'outbound']), boundAt: z.string().nullable(),
  slot: z.number().int().optional().describe('outbound: the lease slot (0..binds-1) this node holds the bind under'),
});
export const nodeStatus = z.object({
  id: z.string(), host: z.string(), pid: z.number().int(), roles: z.array(z.string()), version: z.string(),
  startedAt: z.string(), uptimeS: z.number(), beatAt: z.string().describe('its last heartbeat'), draining: z.boolean(),
  suspendedLinks: z.array(z.string()).describe('the suspensions this node honours now'),
  sessions: z.array(sessionStatus),
  queues: z.array(queueStatus),
  rates: z.object({ moIn: rateWindows, mtOut: rateWindows, moThrottled: rateWindows, receipts: rateWindows }),
  errors: z.array(z.object({
    at: z.string(), level: z.enum(['warn', 'error', 'fatal']), component: z.string().nullable(), link: z.string().nullable(),
    msg: z.string(), code: z.string().nullable(),
  })).describe('its last warn/error log lines, newest first'),
});
const suspension = z.object({ by: z.string().describe('the token that suspended it'), at: z.string() });
export const fleetStatus = z.object({
  generatedAt: z.string(),
  nodes: z.array(nodeStatus),
  links: z.array(z.object({
    name: z.string(), direction: z.string(), enabled: z.boolean(), suspended: suspension.nullable(),
    sessions: z.array(z.object({ node: z.string(), count: z.number().int() })), total: z.number().int(),
  })),
  queues: z.array(queueStatus).describe('shared by the fleet: the newest heartbeat\'s counts'),
});
export type FleetStatus = z.infer<typeof fleetStatus>;
export const statusQuery = z.object({ format: z.enum(['json', 'html']).default('json').describe('html: the status page') });
export const linkSuspension = z.object({ link: z.string(), suspended: suspension.nullable() });
export type LinkSuspension = z.infer<typeof linkSuspension>;
export const kickResult = z.object({ session: z.string(), node: z.string().describe('the node told to close it') });
export type KickResult = z.infer<typeof kickResult>;
export const drainResult = z.object({ node: z.string(), draining: z.literal(true) });
export type DrainResult = z.infer<typeof drainResult>;
// ── block list ───────────────────────────────────────────────────────────────────────────────────
/** `79161234567` blocks that number, `7916*` every number that starts with 7916; a leading + is dropped. */
export const blockPattern = z.string().trim()
  .regex(/^\+?\d{1,20}\*?$/, 'a block entry is a number (digits, e.g. 79161234567) or a prefix ending in * (e.g. 7916*)')
  .transform((s) => s.replace(/^\+/, ''));
export const blockEntry = z.object({
  pattern: blockPattern,
  note: z.string().max(200).default('').describe('why it is blocked (for operators)'),
}).strict();
export type BlockEntryInput = z.input<typeof blockEntry>;
export const blockView = z.object({ pattern: z.string(), kind: z.enum(['number', 'prefix']), note: z.string(), createdAt: z.string().optional(), configVersion: configVersion.optional() });
export type BlockView = z.infer<typeof blockView>;

// ── message log ──────────────────────────────────────────────────────────────────────────────────
const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant such as 2026-11-25T00:00:00Z' });
const messageFilterFields = {
  number: z.string().trim().regex(/^\+?\d{3,20}$/, 'number: the subscriber number, digits only').optional().describe('MO source or MT destination'),
  shortCode: shortCode.optional().describe('MO destination or MT source'),
  link: linkName.optional(),
  from: instant.optional().describe('inclusive'),
  to: instant.optional().describe('exclusive'),
  state: z.enum(['acted', 'blocked', 'pending', 'sent', 'failed']).optional().describe('MO: acted, blocked; MT: pending, sent, failed'),
  direction: z.enum(['mo', 'mt']).optional(),
};
const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to);
const fromBeforeToMessage = { message: 'from must be before to', path: ['from'] };
/** The query's fields (OpenAPI lists these); handlers parse with messageQuery, which also checks from < to. */
export const messageQueryFields = z.object({
  ...messageFilterFields,
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(400).optional().describe('the `next` of the previous page'),
}).strict();
export const messageQuery = messageQueryFields.refine(fromBeforeTo, fromBeforeToMessage);
export type MessageQuery = z.input<typeof messageQuery>;
/** Export: a time range is required, so a stream always ends. */
export const messageExportFields = z.object({ ...messageFilterFields, from: instant.describe('inclusive'), to: instant.describe('exclusive') }).strict();
export const messageExportQuery = messageExportFields.refine(fromBeforeTo, fromBeforeToMessage);
export const messageView = z.object({
  direction: z.enum(['mo', 'mt']), id: z.string(), at: z.string(),
  number: z.string().nullable().describe('masked unless the token grants read'),
  shortCode: z.string().nullable(), link: z.string().nullable(), state: z.string().nullable(),
  what: z.string().nullable().describe('MO: the action that ran; MT: the reply template'),
  channel: z.string().nullable(), corr: z.string().nullable(), receipt: z.string().nullable(),
});
export type MessageView = z.infer<typeof messageView>;
export const messagePage = z.object({
  messages: z.array(messageView),
  next: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
  numbersMasked: z.boolean(),
});
export type MessagePage = z.infer<typeof messagePage>;
export const MESSAGE_CSV_COLUMNS = ['direction', 'at', 'number', 'short_code', 'link', 'state', 'what', 'channel', 'corr', 'receipt'] as const;
