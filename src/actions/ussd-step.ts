/**
 * ONE USSD step, shared by USSD over SMPP (pipeline/mo/ussd.ts: the state lives in Redis per session) and USSD over
 * HTTP (web/ussd/: stateless, the aggregator's `text` replays every input so far). Both ask the same question,
 * "given where the subscriber is and what they typed, what comes next?", and both turn the answer into the same
 * plan (actions/plan.ts), run by the one executor. Pure apart from the two lookups in deps (the menu and the SMS
 * route table), so the rules of actions/ussd-menu.ts are applied the same way on every channel.
 */
import type { MenuNode } from '../db/schema/config.js';
import { planAction, type ActionPlan } from './plan.js';
import type { Locale, Reply } from './types.js';
import { continueUssd, localText, parseUssdString, startUssd, USSD_TEXT, type UssdState, type UssdStep } from './ussd-menu.js';

export type UssdScreen = Extract<UssdStep, { kind: 'screen' }>;
export type UssdFinal = Extract<UssdStep, { kind: 'action' | 'end' }>;
/** What a step comes to: a screen (the session stays open) or a final (an action's reply, or a text, closes it). */
export type UssdOutcome = UssdScreen | UssdFinal;

export interface UssdStepDeps {
  /** The operator's menu for a USSD code (`*111#`), or null. */
  menu(code: string): Promise<MenuNode | null>;
  /** The SMS route `text` to `shortCode` matches (routing/matchRoute on the node's live table), or null. */
  route(shortCode: string, text: string): { action: string; params: Record<string, unknown> } | null;
}

/** `open`: a new request, `text` is the USSD string (`*111#`); `reply`: the subscriber's input on the screen at `state`. */
export type UssdInput = { kind: 'open'; text: string } | { kind: 'reply'; state: UssdState | null; text: string };

/** The step: a menu walk (actions/ussd-menu.ts), a direct dial resolved against the SMS routes. */
export async function ussdStep(input: UssdInput, locale: Locale, deps: UssdStepDeps): Promise<UssdOutcome> {
  return resolveRoute(await decide(input, locale, deps), locale, deps);
}

async function decide(input: UssdInput, locale: Locale, deps: UssdStepDeps): Promise<UssdStep> {
  if (input.kind === 'reply') {
    const menu = input.state ? await deps.menu(input.state.code) : null;
    return continueUssd(menu, input.state, input.text, locale);
  }
  const req = parseUssdString(input.text);
  if (!req) return { kind: 'end', text: localText(USSD_TEXT.unknown, locale) };
  return startUssd(await deps.menu(req.code), req, locale);
}

/**
 * A direct dial off the menu becomes its SMS route's action; when only the short code's catch-all help (or
 * nothing) matches, the menu's fallback screen, else that help; with neither, a closing "unknown" line.
 */
function resolveRoute(step: UssdStep, locale: Locale, deps: UssdStepDeps): UssdOutcome {
  if (step.kind !== 'route') return step;
  const m = deps.route(step.shortCode, step.text);
  const chosen = m && { kind: 'action' as const, action: m.action, params: m.params, shortCode: step.shortCode };
  if (chosen && chosen.action !== 'help') return chosen;
  if (step.fallback && step.fallback.kind !== 'route') return step.fallback;
  if (chosen) return chosen;
  return { kind: 'end', text: localText(USSD_TEXT.unknown, locale) };
}

/**
 * The stateless form (USSD over HTTP): the dialled code, then every input so far, each one the same step the SMPP
 * session takes on a USSR confirm. Input after the dialogue closed (an action or a closing text part-way) cannot
 * come from a real session: it is answered "session expired" rather than acted on.
 */
export async function replayUssd(dialled: string, inputs: readonly string[], locale: Locale, deps: UssdStepDeps): Promise<UssdOutcome> {
  let outcome = await ussdStep({ kind: 'open', text: dialled }, locale, deps);
  for (const input of inputs) {
    if (outcome.kind !== 'screen') return { kind: 'end', text: localText(USSD_TEXT.expired, locale) };
    outcome = await ussdStep({ kind: 'reply', state: outcome.state, text: input }, locale, deps);
  }
  return outcome;
}

export interface UssdPlanInput {
  msisdn: string;
  /** The USSD MO's short code (its destination); a direct dial acts on its own short code. */
  shortCode: string;
  text: string;
  link: string;
  corr: string;
  locale: Locale;
}

/**
 * What runs for an outcome: a final action is planned like a keyword MO (same registry, same help fallback); a
 * screen or a closing text runs nothing and is itself the reply (`screen`).
 */
export function ussdPlan(outcome: UssdOutcome, input: UssdPlanInput): { plan: ActionPlan | null; screen: Reply | null } {
  if (outcome.kind !== 'action') {
    return { plan: null, screen: { template: outcome.kind === 'end' ? 'ussd.end' : 'ussd.menu', text: outcome.text } };
  }
  const shortCode = outcome.shortCode ?? input.shortCode;
  const plan = planAction({ ...input, shortCode, channel: 'ussd' }, { id: `ussd:${outcome.action}`, action: outcome.action, params: outcome.params });
  return { plan, screen: null };
}

/** A final USSD reply is one screen: the action's replies joined (usually one); none (refused quietly) gets a line. */
export function oneScreen(replies: readonly Reply[], locale: Locale): Reply {
  if (replies.length === 0) return { template: 'ussd.end', text: localText(USSD_TEXT.noReply, locale) };
  return { template: replies[0]!.template, text: replies.map((r) => r.text).join('\n') };
}
