/**
 * "What would this message do?" Routes with this node's live config (the version the mo worker would use),
 * then runs the action in a transaction that is always rolled back, with a password generator that returns
 * a visibly fake value: the reply shows exactly what the subscriber would get, and nothing happens.
 */
import type { FastifyInstance } from 'fastify';
import { ACTIONS, type ActionDeps, type ActionMessage, type Locale, type Reply } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { ScgwError } from '../../errors.js';
import { explainMatch, type RouteDef, type RouteTable } from '../../routing/index.js';
import { dryRunBody, type DryRunView } from './schemas.js';

/** The node's current compiled config (pipeline/route-cache.ts's ConfigView; web/ does not import pipeline/). */
export interface LiveConfig {
  version: number;
  table: RouteTable;
  links: ReadonlyMap<string, unknown>;
  render(key: string, locale: Locale, vars?: Record<string, string | number>): string;
}

export interface DryRunDeps {
  db: Db;
  live(): LiveConfig;
  now(): Date;
  passwordsPerHour: number;
  publicUrl: string;
}

export const FAKE_PASSWORD = '********';
const CYRILLIC = /[\u0400-\u04FF]/; // the mo worker's reply-language rule

class RolledBack extends Error {
  constructor(readonly replies: Reply[]) { super('dry run: rolled back'); }
}

export function registerDryRun(app: FastifyInstance, deps: DryRunDeps) {
  app.post('/admin/dry-run', async (req): Promise<DryRunView> => {
    const body = dryRunBody.parse(req.body ?? {});
    const live = deps.live();
    if (body.link && !live.links.has(body.link)) throw new ScgwError('SCGW_NOT_FOUND', `no link named "${body.link}"`);
    const m = explainMatch(live.table, body.to, body.text);
    const locale: Locale = CYRILLIC.test(body.text) ? 'ru' : 'en';
    const base = {
      configVersion: live.version, shortCodeKnown: m.shortCodeKnown, normalised: m.normalised, forms: m.forms,
      route: m.route ? routeOf(m.route) : null, args: m.args, captures: m.captures, candidates: m.candidates, locale,
    };
    if (!m.route) {
      return { ...base, action: null, replies: [], note: `no route for short code ${body.to}: the MO would be accepted and dropped with a warning` };
    }
    const action = ACTIONS.get(m.route.action);
    const params = action?.params.safeParse(m.route.params);
    // Same fallback as the mo worker: an unknown action or bad params answer with help.
    const run = action && params?.success ? { action, params: params.data } : { action: ACTIONS.get('help')!, params: {} };
    const note = run.action === action ? null : `route ${m.route.id} names an unknown action or invalid params: the MO would be answered with help`;
    const msg: ActionMessage = {
      msisdn: body.from.replace(/^\+/, ''), shortCode: body.to, text: body.text, args: m.args, link: body.link ?? '(dry-run)',
      channel: 'sms', corr: 'dry-run', locale,
    };
    const replies = await runWithoutActing(deps, live, (tx, actionDeps) => run.action.run(tx, msg, run.params, actionDeps));
    return { ...base, action: { name: run.action.name, params: run.params as Record<string, unknown> }, replies, note };
  });
}

/** Runs the action in a transaction and always rolls it back by throwing; processed_mo and the outbox are never written. */
async function runWithoutActing(
  deps: DryRunDeps,
  live: LiveConfig,
  act: (tx: Parameters<Parameters<Db['transaction']>[0]>[0], actionDeps: ActionDeps) => Promise<Reply[]>,
): Promise<Reply[]> {
  const actionDeps: ActionDeps = {
    now: deps.now,
    newPassword: () => FAKE_PASSWORD,
    hashPassword: async () => 'dry-run:not-a-hash',
    render: live.render,
    passwordsPerHour: deps.passwordsPerHour,
    publicUrl: deps.publicUrl,
  };
  try {
    await deps.db.transaction(async (tx) => { throw new RolledBack(await act(tx, actionDeps)); });
  } catch (e) {
    if (e instanceof RolledBack) return e.replies;
    throw e;
  }
  throw new Error('dry run transaction committed'); // unreachable: the callback always throws
}

function routeOf(r: RouteDef): NonNullable<DryRunView['route']> {
  return { id: r.id, shortCode: r.shortCode, kind: r.kind, keywords: r.keywords, pattern: r.pattern ?? null, priority: r.priority, action: r.action, params: r.params };
}
