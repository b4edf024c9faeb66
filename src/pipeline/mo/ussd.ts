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
import type { Locale } from '../../actions/index.js';
import { USSD_OP, type UssdState } from '../../actions/ussd-menu.js';
import { oneScreen, ussdPlan, ussdStep, type UssdStepDeps } from '../../actions/ussd-step.js';
import type { Db } from '../../db/client.js';
import { getMenu } from '../../db/queries/menus.js';
import { storedLocale } from '../../db/queries/subscriber-locale.js';
import { processedMo } from '../../db/schema/index.js';
import type { Logger } from '../../log.js';
import { matchRoute } from '../../routing/index.js';
import type { AssembledMo, ReplyTlvs, UssdMo } from '../jobs.js';
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

export async function actOnUssd(mo: AssembledMo, ussd: UssdMo, deps: UssdDeps, log: Logger): Promise<void> {
  if (await alreadyActed(deps.db, mo.idemKey)) {
    // Acted on before (a job run again after its commit): the session's state is past this MO; only relay.
    await deps.relay.relayByIdemKey(mo.idemKey);
    return;
  }
  // The dialogue: a vendor profile's id (smpp/vendors/ussd-wire.ts), else its_session_info's session number.
  const dialogue = ussd.dialogue?.id ?? (ussd.session === undefined ? undefined : ussd.session >> 8);
  const key = deps.ussd.key(mo.link, mo.source, dialogue);
  const text = mo.decoded.kind === 'text' ? mo.decoded.text.trim() : '';
  // A USSD string is digits: the screens follow the subscriber's stored language (issue 11), not the text.
  const locale: Locale = (await storedLocale(deps.db, mo.source)) === 'ru' ? 'ru' : 'en';
  const hungUp = ussd.dialogue ? ussd.dialogue.end : ussd.session !== undefined && (ussd.session & END_BIT) !== 0;
  if (ussd.op !== USSD_OP.pssrIndication && hungUp) {
    // The gateway ended the session (the user hung up: Tata, 6D in PROTOCOL.md §5's table): nothing to answer.
    await deps.ussd.drop(key);
    log.debug({ op: ussd.op }, 'USSD session ended by the peer');
    return;
  }
  const record = await deps.ussd.get(key);
  // Our own stamp: this MO already wrote the state once (then crashed before its commit); decide from before.
  const base: UssdState | null = record ? (record.by === mo.idemKey ? record.prev : record.state) : null;
  const input = ussd.op === USSD_OP.ussrConfirm ? { kind: 'reply' as const, state: base, text } : { kind: 'open' as const, text };
  // Any op but a USSR confirm opens a session (PSSR indication; PSSD indication too): the text is the USSD string.
  const outcome = await ussdStep(input, locale, stepDeps(deps));
  const final = outcome.kind !== 'screen';
  const next = outcome.kind === 'screen' ? outcome.state : null;
  // The step is taken from here (until the commit below, only for this MO: a rerun finds `by`).
  await deps.ussd.put(key, { state: next, prev: base, by: mo.idemKey });

  const session = ussd.session;
  const tlvs: ReplyTlvs = {
    ussdServiceOp: final ? USSD_OP.pssrResponse : USSD_OP.ussrRequest,
    ...(session !== undefined ? { itsSessionInfo: final ? session | END_BIT : session & ~END_BIT } : {}),
    ...(ussd.dialogue ? { ussdSession: ussd.dialogue.id } : {}),
  };
  const { plan, screen } = ussdPlan(outcome, { msisdn: mo.source, shortCode: mo.destination, text, link: mo.link, corr: mo.corr, locale });
  if (plan?.note) log.error({ action: plan.route?.action }, plan.note);
  // USSD is not SMS: no archive, so the SMS archive keeps neither the screens nor the final text.
  const acted = await executePlan({
    idemKey: mo.idemKey, corr: mo.corr, link: mo.link, source: mo.source, destination: mo.destination, channel: 'ussd', locale, plan, tlvs,
    ...(mo.receivedAt === undefined ? {} : { receivedAt: mo.receivedAt }),
    shape: (replies) => [screen ?? oneScreen(replies, locale)],
  }, deps.exec);
  log.debug({ op: tlvs.ussdServiceOp, final: outcome.kind, action: plan?.action.name, acted }, 'USSD MO done');
}

async function alreadyActed(db: Db, idemKey: string): Promise<boolean> {
  const rows = await db.select({ k: processedMo.idemKey }).from(processedMo).where(eq(processedMo.idemKey, idemKey)).limit(1);
  return rows.length > 0;
}

/** The step's two lookups: the stored menu (read per MO, no cache) and this node's live SMS routes. */
function stepDeps(deps: UssdDeps): UssdStepDeps {
  return {
    menu: async (code) => {
      const m = await getMenu(deps.db, code);
      return m ? { title: m.title, items: m.items } : null;
    },
    route: (shortCode, text) => matchRoute(deps.cache.current().table, shortCode, text).route ?? null,
  };
}
