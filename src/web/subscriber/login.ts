/**
 * Logging in with number + password, the same for every page (archive, account, one MMS). Issue 10 shaped it:
 * - the password is checked outside any transaction, in one of LOGIN_HASH_CONCURRENCY slots (else "busy");
 * - per client address (IPv6 per /64): LOGIN_PER_IP_PER_MINUTE attempts;
 * - per (number, client): LOGIN_MAX_FAILURES wrong passwords within LOGIN_WINDOW_MIN lock that client out for
 *   LOGIN_LOCK_MIN; the owner on another address is not locked out by a stranger;
 * - per number, from every client: past LOGIN_NUMBER_MAX_FAILURES in the window, one try per LOGIN_NUMBER_BACKOFF_S;
 * - a number without the tried password gets no rows at all (checked against a dummy hash of the same cost, so
 *   timing does not tell which numbers have one); alert SMS are capped at ALERTS_PER_HOUR per number.
 * A web-form password is pending until used: a login with it makes it the account password.
 */
import { eq, and } from 'drizzle-orm';
import { accountAlert } from '../../actions/account-alert.js';
import { verifyPassword, type ActionMessage, type Locale } from '../../actions/index.js';
import { logOperation } from '../../actions/oplog.js';
import type { DbOrTx, Tx } from '../../db/client.js';
import { clearClient, clientFailures, clientLockedUntil, forgetFailure, lockClient, lockLoginGuard, numberFailures, recordFailure } from '../../db/queries/login-guard.js';
import { getMms } from '../../db/queries/mms.js';
import { getSubscriber } from '../../db/queries/subscribers.js';
import { getAlertSettings } from '../../db/queries/web-accounts.js';
import { subscribers } from '../../db/schema/index.js';
import type { SubscriberDeps } from './deps.js';
import { clientKey } from './request.js';
import { passwordVersion, type Session } from './session.js';
import { webPlan, webTransaction, type Act } from './act.js';
import { WEB_SMS_FROM, webMessage } from './sms.js';

export type LoginTarget = { kind: 'archive' } | { kind: 'account' } | { kind: 'mms'; id: string };
export type LoginResult =
  | { ok: true; session: Session }
  | { ok: false; reason: 'bad' | 'busy' | 'throttled' }
  | { ok: false; reason: 'locked' | 'backoff'; until: Date };

/** Same parameters as real hashes, so a miss costs what a hit costs; no password hashes to these zero bytes. */
function dummyHash(logN: number): string {
  return `scrypt$${logN}$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;
}

/** The hashes a login for `target` is checked against: the current one (a purged or expired MMS has none) and, for the account, the pending one from the web form. */
async function loginHashes(db: DbOrTx, target: LoginTarget, msisdn: string, now: Date): Promise<{ current: string | null; pending: string | null }> {
  if (target.kind === 'mms') {
    const mms = await getMms(db, target.id);
    if (!mms || mms.recipient !== msisdn || mms.purgedAt || mms.expiresAt <= now) return { current: null, pending: null };
    return { current: mms.passwordHash, pending: null };
  }
  const sub = await getSubscriber(db, msisdn);
  if (target.kind === 'archive') return { current: sub?.archivePasswordHash ?? null, pending: null };
  return { current: sub?.accountPasswordHash ?? null, pending: sub?.accountPasswordPendingHash ?? null };
}

type Guard = { ok: true; failureId: number } | { ok: false; reason: 'locked' | 'backoff'; until: Date };

/** One short transaction: is this client locked, is the number in backoff; if not, count the attempt as a failure now. */
async function admit(deps: SubscriberDeps, msisdn: string, clientTag: string, now: Date): Promise<Guard> {
  const { login } = deps.config.web;
  const { loginNumberMaxFailures, loginNumberBackoffS } = deps.config.abuse;
  return deps.db.transaction(async (tx) => {
    await lockLoginGuard(tx, msisdn);
    const locked = await clientLockedUntil(tx, msisdn, clientTag, now);
    if (locked) return { ok: false, reason: 'locked', until: locked };
    const all = await numberFailures(tx, msisdn, new Date(now.getTime() - login.windowMin * 60_000));
    if (all.n >= loginNumberMaxFailures && all.last) {
      const until = new Date(all.last.getTime() + loginNumberBackoffS * 1000);
      if (until > now) return { ok: false, reason: 'backoff', until };
    }
    return { ok: true, failureId: await recordFailure(tx, msisdn, clientTag, now) };
  });
}

export async function attemptLogin(deps: SubscriberDeps, target: LoginTarget, msisdn: string, password: string, locale: Locale, client: string): Promise<LoginResult> {
  const { login, sessionTtlMin } = deps.config.web;
  const key = clientKey(client);
  // A Redis outage lets logins through: the per-(number, client) lock and the backoff live in Postgres.
  if (!(await deps.limits.take(`login:client:${key}`, deps.config.abuse.loginPerIpPerMinute, 60_000, 'allow')).ok) return { ok: false, reason: 'throttled' };
  const clientTag = deps.tag(`client:${key}`);
  const now = deps.now();
  const { current, pending } = await loginHashes(deps.db, target, msisdn, now);
  if (!current && !pending) {
    const checked = await deps.hashSlots.run(() => verifyPassword(password, dummyHash(deps.config.passwords.scryptLogN)));
    return { ok: false, reason: checked === undefined ? 'busy' : 'bad' };
  }
  const guard = await admit(deps, msisdn, clientTag, now);
  if (!guard.ok) return guard;
  // Outside any transaction: no row lock and no pool connection is held while scrypt runs.
  const matched = await deps.hashSlots.run(async () => {
    if (current && await verifyPassword(password, current)) return { hash: current, promote: false };
    if (pending && await verifyPassword(password, pending)) return { hash: pending, promote: true };
    return null;
  });
  if (matched === undefined) {
    await forgetFailure(deps.db, guard.failureId);
    return { ok: false, reason: 'busy' };
  }
  const from = target.kind === 'archive' ? WEB_SMS_FROM.archive : WEB_SMS_FROM.account;
  const msg = webMessage(msisdn, from, locale);
  const alerts = await getAlertSettings(deps.db, msisdn);
  return webTransaction(deps, async (tx, act) => {
    const alert = (kind: 'login' | 'failed' | 'locked', minutes?: number) => sendAlert(deps, act, msg, kind, minutes);
    await lockLoginGuard(tx, msisdn);
    if (matched && (!matched.promote || await promotePending(tx, msisdn, matched.hash, now))) {
      await forgetFailure(tx, guard.failureId);
      await clearClient(tx, msisdn, clientTag);
      await logOperation(tx, {}, msg, 'web.login', 'ok', now, { page: target.kind, ...(matched.promote ? { newPassword: true } : {}) });
      if (alerts.alertOnLogin) await alert('login');
      const session: Session = { msisdn, pv: passwordVersion(matched.hash), exp: now.getTime() + sessionTtlMin * 60_000, ...(target.kind === 'mms' ? { mms: target.id } : {}) };
      return { ok: true, session };
    }
    // The failure was recorded by admit(); now decide whether this client is locked out of the number.
    const failures = await clientFailures(tx, msisdn, clientTag, new Date(now.getTime() - login.windowMin * 60_000));
    if (failures >= login.maxFailures) {
      const until = new Date(now.getTime() + login.lockMin * 60_000);
      await lockClient(tx, msisdn, clientTag, until);
      await logOperation(tx, {}, msg, 'web.login', 'locked', now, { page: target.kind });
      if (alerts.alertOnFailure) await alert('locked', login.lockMin);
      deps.log.info({ msisdn: deps.tag(msisdn) }, 'web login locked for one client after too many wrong passwords');
      return { ok: false, reason: 'locked', until };
    }
    await logOperation(tx, {}, msg, 'web.login', 'failed', now, { page: target.kind });
    if (alerts.alertOnFailure) await alert('failed');
    return { ok: false, reason: 'bad' };
  });
}

/** The pending web-form password becomes the account password, if it is still the one that was checked. */
async function promotePending(tx: Tx, msisdn: string, hash: string, now: Date): Promise<boolean> {
  const done = await tx.update(subscribers).set({ accountPasswordHash: hash, accountPasswordPendingHash: null, updatedAt: now })
    .where(and(eq(subscribers.msisdn, msisdn), eq(subscribers.accountPasswordPendingHash, hash))).returning({ msisdn: subscribers.msisdn });
  return done.length > 0;
}

async function sendAlert(deps: SubscriberDeps, act: Act, login: ActionMessage, kind: 'login' | 'failed' | 'locked', minutes?: number) {
  // Capped per number: wrong passwords from strangers must not become an SMS flood to the owner.
  if (!(await deps.limits.take(`alert:${login.msisdn}`, deps.config.abuse.alertsPerHour, 3600_000, 'refuse')).ok) return;
  const params = { kind, ...(minutes === undefined ? {} : { minutes }) };
  // An alert prepares nothing, so it is planned here, once the transaction knows which one; same corr as the login's row.
  await act(webPlan(deps, { action: accountAlert.name, params, msisdn: login.msisdn, from: login.shortCode, locale: login.locale, corr: login.corr }));
}
