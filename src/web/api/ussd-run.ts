/**
 * One USSD-over-HTTP request, after authentication and caps (web/api/ussd.ts): the aggregator's `text` replayed
 * against the menu with the same step function as USSD over SMPP (actions/ussd-step.ts), in the subscriber's stored
 * language. A screen or a closing text is answered at once and changes nothing. A final action is planned and run
 * through the one planner and executor (actions/plan.ts, actions/execute.ts) exactly once per (phone, session, text):
 * its key is claimed in processed_mo in the action's transaction and its screen committed with it, so a retried
 * POST (the aggregator did not get our answer in time) gets the committed screen and the action does not run again.
 */
import { createHash } from 'node:crypto';
import { nanoid } from 'nanoid';
import type { ActionDeps, Locale } from '../../actions/index.js';
import { preparePlan, runPlan } from '../../actions/execute.js';
import { archiveText } from '../../actions/reply-rows.js';
import { USSD_TEXT, localText } from '../../actions/ussd-menu.js';
import { oneScreen, replayUssd, ussdPlan, type UssdStepDeps } from '../../actions/ussd-step.js';
import type { Db } from '../../db/client.js';
import { getMenu } from '../../db/queries/menus.js';
import type { MenuNode } from '../../db/schema/index.js';
import { insertOperations, type NewOperationRow } from '../../db/queries/operations.js';
import { storedLocale } from '../../db/queries/subscriber-locale.js';
import { claimUssdHttpStep, readUssdHttpAnswer, storeUssdHttpAnswer, USSD_HTTP_LINK } from '../../db/queries/ussd-http.js';
import type { Logger } from '../../log.js';
import { matchRoute, type Blocklist, type RouteTable } from '../../routing/index.js';

export interface UssdRunDeps {
  db: Db;
  log: Logger;
  /** This node's live config (the mo worker's): the SMS routes a direct dial falls to, the block list, templates. */
  live(): { table: RouteTable; blocklist: Blocklist; render: ActionDeps['render'] };
  action: Omit<ActionDeps, 'render'>;
  /** The msisdn log tag (never the number). */
  tag(msisdn: string): string;
}

export interface UssdRequest {
  sessionId: string;
  /** `*111#` (normalised). */
  serviceCode: string;
  msisdn: string;
  /** The subscriber's inputs so far (the aggregator's `text` split on `*`; none on the first request). */
  inputs: string[];
  /** The aggregator's `text`, as sent: part of the step's identity. */
  text: string;
}

/** What the aggregator is answered: CON (show, wait for input) or END (show, close). */
export interface UssdAnswer { kind: 'CON' | 'END'; text: string }

/** The step's identity: the same POST again is the same step; a new input or session is another. */
export function ussdHttpIdemKey(r: Pick<UssdRequest, 'sessionId' | 'serviceCode' | 'msisdn' | 'text'>): string {
  const h = createHash('sha256').update([r.msisdn, r.serviceCode, r.sessionId, r.text].join('\0')).digest('base64url');
  return `uh-${h.slice(0, 32)}`;
}

export async function runUssdHttp(req: UssdRequest, deps: UssdRunDeps): Promise<UssdAnswer> {
  const live = deps.live();
  if (live.blocklist.match(req.msisdn) !== null) {
    // Issue 11: a blocked number gets nothing; the aggregator needs an answer, so an empty closing one.
    return { kind: 'END', text: '' };
  }
  const locale: Locale = (await storedLocale(deps.db, req.msisdn)) === 'ru' ? 'ru' : 'en';
  // One read per menu per request, however many inputs the replay walks through it.
  const menus = new Map<string, Promise<MenuNode | null>>();
  const stepDeps: UssdStepDeps = {
    menu: (code) => {
      let m = menus.get(code);
      if (!m) menus.set(code, (m = getMenu(deps.db, code).then((row) => (row ? { title: row.title, items: row.items } : null))));
      return m;
    },
    route: (shortCode, text) => matchRoute(live.table, shortCode, text).route ?? null,
  };
  const outcome = await replayUssd(req.serviceCode, req.inputs, locale, stepDeps);
  if (outcome.kind === 'screen') return { kind: 'CON', text: outcome.text };
  if (outcome.kind === 'end') return { kind: 'END', text: outcome.text };

  const idemKey = ussdHttpIdemKey(req);
  const corr = nanoid(12);
  const shortCode = req.serviceCode.replace(/^\*/, '').split(/[*#]/)[0] ?? '';
  const { plan } = ussdPlan(outcome, { msisdn: req.msisdn, shortCode, text: req.text, link: USSD_HTTP_LINK, corr, locale });
  if (!plan) return { kind: 'END', text: localText(USSD_TEXT.noReply, locale) };
  const log = deps.log.child({ corr, msisdn: deps.tag(req.msisdn) });
  if (plan.note) log.error({ action: outcome.action }, plan.note);
  const actionDeps: ActionDeps = { ...deps.action, render: live.render };
  // The slow part (a password hash) outside the transaction, as the mo worker does.
  const prepared = await preparePlan(deps.db, plan, actionDeps);
  const record = { idemKey, source: req.msisdn, shortCode: plan.msg.shortCode, corr, action: plan.action.name };
  const acted = await deps.db.transaction(async (tx) => {
    if (!(await claimUssdHttpStep(tx, record))) return null;
    const logged: NewOperationRow[] = [];
    const replies = await runPlan(tx, plan, { ...prepared, operations: (row) => { logged.push(row); } });
    await insertOperations(tx, logged);
    const screen = oneScreen(replies, locale);
    await storeUssdHttpAnswer(tx, record, { text: screen.text, template: screen.template, archiveText: archiveText(live.render, screen, locale) }, deps.action.now());
    return screen.text;
  });
  // Durable from here: the action, its operations-log rows and its answer committed together.
  if (acted !== null) {
    log.debug({ action: plan.action.name }, 'USSD over HTTP: acted');
    return { kind: 'END', text: acted };
  }
  // A retried POST: the step was taken (and committed) by an earlier one; answer what it answered.
  const earlier = await readUssdHttpAnswer(deps.db, idemKey);
  log.debug({ action: plan.action.name, answered: earlier?.body != null }, 'USSD over HTTP: step already taken; not acted again');
  return { kind: 'END', text: earlier?.body ?? localText(USSD_TEXT.done, locale) };
}
