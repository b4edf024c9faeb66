/**
 * The plan of an MO: which action runs, with which params, on which message, in which language. Pure: the
 * keyword path, the USSD path and the admin dry run all build their plans here, so the rules below are
 * written once:
 * - the reply language is Russian when the MO was written in Cyrillic, else English;
 * - a route that names an unknown action or invalid params is answered with help (and says why);
 * - an MO that no route serves (binary, or a short code without routes) gets the short code's help;
 * - a number on the block list (issue 11) gets nothing: the plan runs no action and sends nothing. The mo worker
 *   checks an MO's source before it plans (USSD included); web-originated SMS are refused here, at plan time,
 *   so nothing is ever written to the outbox for a blocked destination.
 * The matching itself (routing/) happens before: a plan takes the matched route, never the table.
 */
import type { RouteDef } from '../routing/types.js';
import { blocked } from './blocked.js';
import { ACTIONS } from './index.js';
import type { Action, ActionMessage, Channel, Locale } from './types.js';

const CYRILLIC = /[\u0400-\u04FF]/;

export function localeOf(text: string): Locale {
  return CYRILLIC.test(text) ? 'ru' : 'en';
}

export interface ActionPlan {
  action: Action<any>;
  params: unknown;
  msg: ActionMessage;
  /** The route that matched; null when none did (the help fallback). */
  route: RouteDef | null;
  /** Why the plan is not the route's own action (operators see it in the dry run and in the log). */
  note: string | null;
  /** Set: the number is on the block list; the plan's action does nothing and nothing is sent. */
  refused?: 'blocked';
}

/** What a plan needs of the MO itself; `shortCode` may differ from the MO's destination (a USSD direct dial). */
export interface PlanInput {
  msisdn: string;
  shortCode: string;
  text: string;
  args?: string;
  link: string;
  channel: Channel;
  corr: string;
  allowBinary?: boolean;
  /** The MO's id and arrival (ActionMessage.id, .receivedAt): keyword MO only. */
  id?: string;
  receivedAt?: number;
  /** Overrides the language rule (a USSD step decides it from the dialled text, not the digits). */
  locale?: Locale;
  /** The block-list entry that matches `msisdn` (ConfigView.blocklist.match), if any: the plan is refused. */
  blockedBy?: string | null;
}

/** The matched route (or none) → the action to run. */
export function planAction(input: PlanInput, route: Pick<RouteDef, 'id' | 'action' | 'params'> & Partial<RouteDef> | null): ActionPlan {
  const msg: ActionMessage = {
    msisdn: input.msisdn, shortCode: input.shortCode, text: input.text, args: input.args ?? '', link: input.link,
    channel: input.channel, corr: input.corr, locale: input.locale ?? localeOf(input.text),
    ...(input.allowBinary ? { allowBinary: true } : {}),
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...(input.receivedAt !== undefined ? { receivedAt: input.receivedAt } : {}),
  };
  if (input.blockedBy) {
    return { action: blocked, params: {}, msg, route: route as RouteDef | null, note: 'the number is on the block list: no action, nothing sent', refused: 'blocked' };
  }
  const help = ACTIONS.get('help')!;
  if (!route) {
    return { action: help, params: {}, msg, route: null, note: `no route serves short code ${input.shortCode}: answered with its help` };
  }
  const action = ACTIONS.get(route.action);
  const params = action?.params.safeParse(route.params);
  if (!action || !params?.success) {
    return { action: help, params: {}, msg, route: route as RouteDef, note: `route ${route.id} names an unknown action or invalid params: answered with help` };
  }
  return { action, params: params.data, msg, route: route as RouteDef, note: null };
}

/**
 * The plan of an action the web starts by name (the password form, an MMS notice, a login alert): no route, and
 * the params come from our own code, so an unknown name or bad params is a fault, never answered with help.
 */
export function planNamedAction(input: PlanInput, name: string, params: unknown): ActionPlan {
  const plan = planAction(input, { id: `web:${name}`, action: name, params: params as Record<string, unknown> });
  if (plan.note && !plan.refused) throw new Error(`web action ${name}: unknown, or its params do not parse`);
  return { ...plan, route: null };
}
