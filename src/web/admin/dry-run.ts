/**
 * "What would this message do?" Routes with this node's live config (the version the mo worker would use),
 * then runs the action in a transaction that is always rolled back, with a password generator that returns
 * a visibly fake value: the reply shows exactly what the subscriber would get, and nothing happens.
 */
import type { FastifyInstance } from 'fastify';
import { APP_FORWARD, type ActionDeps, type Locale } from '../../actions/index.js';
import { rehearse } from '../../actions/execute.js';
import { localeOf, planAction } from '../../actions/plan.js';
import type { Db } from '../../db/client.js';
import { ScgwError } from '../../errors.js';
import { explainMatch, type Blocklist, type RouteDef, type RouteTable } from '../../routing/index.js';
import { dryRunBody, type DryRunView } from './schemas.js';

/** The node's current compiled config (pipeline/route-cache.ts's ConfigView; web/ does not import pipeline/). */
export interface LiveConfig {
  version: number;
  table: RouteTable;
  links: ReadonlyMap<string, unknown>;
  blocklist: Blocklist;
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

export function registerDryRun(app: FastifyInstance, deps: DryRunDeps) {
  app.post('/admin/dry-run', async (req): Promise<DryRunView> => {
    const body = dryRunBody.parse(req.body ?? {});
    const live = deps.live();
    if (body.link && !live.links.has(body.link)) throw new ScgwError('SCGW_NOT_FOUND', `no link named "${body.link}"`);
    const m = explainMatch(live.table, body.to, body.text);
    const locale: Locale = localeOf(body.text);
    const base = {
      configVersion: live.version, shortCodeKnown: m.shortCodeKnown, normalised: m.normalised, forms: m.forms,
      route: m.route ? routeOf(m.route) : null, args: m.args, captures: m.captures, candidates: m.candidates, locale,
    };
    if (!m.route && !m.shortCodeKnown) {
      return { ...base, action: null, replies: [], note: `no route for short code ${body.to}: the MO would be refused at intake (ESME_RINVDSTADR)` };
    }
    const msisdn = body.from.replace(/^\+/, '');
    const blockedBy = live.blocklist.match(msisdn);
    const plan = planAction({ msisdn, shortCode: body.to, text: body.text, args: m.args, link: body.link ?? '(dry-run)', channel: 'sms', corr: 'dry-run', blockedBy }, m.route);
    const actionDeps: ActionDeps = {
      now: deps.now,
      newPassword: () => FAKE_PASSWORD,
      hashPassword: async () => 'dry-run:not-a-hash',
      render: live.render,
      passwordsPerHour: deps.passwordsPerHour,
      publicUrl: deps.publicUrl,
    };
    // The planner and executor of the mo worker (actions/plan.ts, execute.ts), in a transaction rolled back.
    const replies = await rehearse(deps.db, plan, actionDeps);
    if (plan.refused) return { ...base, action: null, replies, note: `${plan.note ?? ''} (block list entry ${blockedBy ?? '?'})` };
    // app.forward replies later, with the app's answer (or its fallback): the dry run says so instead of posting.
    const forwarded = plan.action.name === APP_FORWARD ? `forwarded to app ${(plan.params as { app?: string }).app ?? '?'}: the reply is the app's answer, or its fallback` : null;
    return { ...base, action: { name: plan.action.name, params: plan.params as Record<string, unknown> }, replies, note: plan.note ?? forwarded };
  });
}

function routeOf(r: RouteDef): NonNullable<DryRunView['route']> {
  return { id: r.id, shortCode: r.shortCode, kind: r.kind, keywords: r.keywords, pattern: r.pattern ?? null, priority: r.priority, action: r.action, params: r.params };
}
