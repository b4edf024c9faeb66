/**
 * A USSD MO (ussd_service_op present, PROTOCOL.md §5 policy) in the mo worker: the menu session of the
 * spec-style mapping. A PSSR indication (`*111#`, `*111*25#`) opens a session, a USSR confirm carries the
 * subscriber's digits; we answer with a USSR request (op 2, a menu screen, the session stays open) or a PSSR
 * response (op 0x11, the final text, its_session_info's end bit set), echoing its_session_info.
 *
 * Crash-safety: the step is decided from the session's state in Redis (ussd-sessions.ts), the new state is
 * written there stamped with the MO's idempotency key, and then the reply (and a final action) commit in the
 * MO's idempotent transaction (processed_mo, batch.ts). A job that runs again after a crash before the
 * commit finds its own stamp and decides from the state it first saw (the same screen, never a second step);
 * after the commit, processed_mo says so and only the reply is relayed again.
 */
import { eq } from 'drizzle-orm';
import type { Locale, Reply } from '../../actions/index.js';
import { localeOf, planAction } from '../../actions/plan.js';
import { continueUssd, localText, parseUssdString, startUssd, USSD_OP, USSD_TEXT, type UssdState, type UssdStep } from '../../actions/ussd-menu.js';
import type { Db } from '../../db/client.js';
import { getMenu } from '../../db/queries/menus.js';
import { processedMo } from '../../db/schema/index.js';
import type { Logger } from '../../log.js';
import { matchRoute } from '../../routing/index.js';
import type { AssembledMo } from '../jobs.js';
import { executePlan, type ExecuteDeps } from './execute.js';
import type { OutboxRelay } from '../outbox/relay.js';
import type { RouteCache } from '../route-cache.js';
import type { UssdSessions } from './ussd-sessions.js';

export interface UssdDeps {
  db: Db;
  cache: RouteCache;
  relay: OutboxRelay;
  ussd: UssdSessions;
  /** The one MO executor's deps (execute.ts). */
  exec: ExecuteDeps;
}

/** its_session_info bit 0 of octet 2: end of session (SMPP 3.4 §5.3.2.43). */
const END_BIT = 0x0001;

type Screen = Extract<UssdStep, { kind: 'screen' }>;
type Final = Extract<UssdStep, { kind: 'action' | 'end' }>;

export async function actOnUssd(mo: AssembledMo, ussd: { op: number; session?: number }, deps: UssdDeps, log: Logger): Promise<void> {
  if (await alreadyActed(deps.db, mo.idemKey)) {
    // Acted on before (a job run again after its commit): the session's state is past this MO; only relay.
    await deps.relay.relayByIdemKey(mo.idemKey);
    return;
  }
  const key = deps.ussd.key(mo.link, mo.source, ussd.session === undefined ? undefined : ussd.session >> 8);
  const text = mo.decoded.kind === 'text' ? mo.decoded.text.trim() : '';
  const locale: Locale = localeOf(text);
  if (ussd.op !== USSD_OP.pssrIndication && ussd.session !== undefined && (ussd.session & END_BIT) !== 0) {
    // The gateway ended the session (the user hung up: Tata, 6D in PROTOCOL.md §5's table): nothing to answer.
    await deps.ussd.drop(key);
    log.debug({ op: ussd.op }, 'USSD session ended by the peer');
    return;
  }
  const record = await deps.ussd.get(key);
  // Our own stamp: this MO already wrote the state once (then crashed before its commit); decide from before.
  const base: UssdState | null = record ? (record.by === mo.idemKey ? record.prev : record.state) : null;
  const step = await decide(ussd.op, text, base, locale, deps);
  const outcome = resolveRoute(step, locale, deps);
  const final: Final | null = outcome.kind === 'screen' ? null : outcome;
  const next = outcome.kind === 'screen' ? outcome.state : null;
  // The step is taken from here (until the commit below, only for this MO: a rerun finds `by`).
  await deps.ussd.put(key, { state: next, prev: base, by: mo.idemKey });

  const shortCode = outcome.kind === 'action' && outcome.shortCode ? outcome.shortCode : mo.destination;
  const session = ussd.session;
  const tlvs = final
    ? { ussdServiceOp: USSD_OP.pssrResponse, ...(session !== undefined ? { itsSessionInfo: session | END_BIT } : {}) }
    : { ussdServiceOp: USSD_OP.ussrRequest, ...(session !== undefined ? { itsSessionInfo: session & ~END_BIT } : {}) };
  // A final menu item or direct dial is planned like a keyword MO: same action registry, same help fallback.
  const plan = outcome.kind === 'action'
    ? planAction({ msisdn: mo.source, shortCode, text, link: mo.link, channel: 'ussd', corr: mo.corr, locale }, { id: `ussd:${outcome.action}`, action: outcome.action, params: outcome.params })
    : null;
  if (plan?.note) log.error({ action: outcome.kind === 'action' ? outcome.action : undefined }, plan.note);
  const screen: Reply | null = outcome.kind === 'action' ? null : { template: outcome.kind === 'end' ? 'ussd.end' : 'ussd.menu', text: outcome.text };
  // USSD is not SMS: no archive, so the SMS archive keeps neither the screens nor the final text.
  const acted = await executePlan({
    idemKey: mo.idemKey, corr: mo.corr, link: mo.link, source: mo.source, destination: mo.destination, channel: 'ussd', locale, plan, tlvs,
    ...(mo.receivedAt === undefined ? {} : { receivedAt: mo.receivedAt }),
    shape: (replies) => [screen ?? oneScreen(replies, locale)],
  }, deps.exec);
  log.debug({ op: tlvs.ussdServiceOp, final: final?.kind ?? 'screen', action: plan?.action.name, acted }, 'USSD MO done');
}

async function alreadyActed(db: Db, idemKey: string): Promise<boolean> {
  const rows = await db.select({ k: processedMo.idemKey }).from(processedMo).where(eq(processedMo.idemKey, idemKey)).limit(1);
  return rows.length > 0;
}

async function decide(op: number, text: string, base: UssdState | null, locale: Locale, deps: UssdDeps): Promise<UssdStep> {
  if (op === USSD_OP.ussrConfirm) {
    const menu = base ? await getMenu(deps.db, base.code) : undefined;
    return continueUssd(menu ? { title: menu.title, items: menu.items } : null, base, text, locale);
  }
  // Any other op opens a session (PSSR indication; PSSD indication too): the text is the USSD string.
  const req = parseUssdString(text);
  if (!req) return { kind: 'end', text: localText(USSD_TEXT.unknown, locale) };
  const menu = await getMenu(deps.db, req.code);
  return startUssd(menu ? { title: menu.title, items: menu.items } : null, req, locale);
}

/**
 * A direct dial off the menu becomes its SMS route's action; when only the short code's catch-all help (or
 * nothing) matches, the menu's fallback screen, else that help; with neither, a closing "unknown" line.
 */
function resolveRoute(step: UssdStep, locale: Locale, deps: UssdDeps): Screen | Final {
  if (step.kind !== 'route') return step;
  const m = matchRoute(deps.cache.current().table, step.shortCode, step.text);
  const chosen = m.route && { kind: 'action' as const, action: m.route.action, params: m.route.params, shortCode: step.shortCode };
  if (chosen && chosen.action !== 'help') return chosen;
  if (step.fallback && step.fallback.kind !== 'route') return step.fallback;
  if (chosen) return chosen;
  return { kind: 'end', text: localText(USSD_TEXT.unknown, locale) };
}

/** A final USSD reply is one screen: the action's replies joined (usually one); none (refused quietly) gets a line. */
function oneScreen(replies: readonly Reply[], locale: Locale): Reply {
  if (replies.length === 0) return { template: 'ussd.end', text: localText(USSD_TEXT.noReply, locale) };
  return { template: replies[0]!.template, text: replies.map((r) => r.text).join('\n') };
}
