/**
 * Logging in with number + password, the same for every page (archive, account, one MMS). Per number: after
 * LOGIN_MAX_FAILURES wrong passwords within LOGIN_WINDOW_MIN the number is locked for LOGIN_LOCK_MIN, and while
 * locked no password is even checked. scrypt comparison is constant-time, and a number without a password is
 * checked against a dummy hash of the same cost, so timing does not tell which numbers have one.
 */
import { accountAlert } from '../../actions/account-alert.js';
import { verifyPassword, type Locale } from '../../actions/index.js';
import { logOperation } from '../../actions/oplog.js';
import type { Tx } from '../../db/client.js';
import { getMms } from '../../db/queries/mms.js';
import { getSubscriber } from '../../db/queries/subscribers.js';
import { clearLoginFailures, lockWebAccount, recordLoginFailure, setLockedUntil } from '../../db/queries/web-accounts.js';
import type { SubscriberDeps } from './deps.js';
import { passwordVersion, type Session } from './session.js';
import { WEB_SMS_FROM, webMessage, withSms, type SendSms } from './sms.js';

export type LoginTarget = { kind: 'archive' } | { kind: 'account' } | { kind: 'mms'; id: string };
export type LoginResult =
  | { ok: true; session: Session }
  | { ok: false; reason: 'bad' }
  | { ok: false; reason: 'locked'; until: Date };

/** Same parameters as real hashes, so a miss costs what a hit costs; no password hashes to these zero bytes. */
function dummyHash(logN: number): string {
  return `scrypt$${logN}$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;
}

/** The hash a login for `target` is checked against; a purged or expired MMS has none. */
export async function currentHash(tx: Tx, target: LoginTarget, msisdn: string, now: Date): Promise<string | null> {
  if (target.kind === 'mms') {
    const mms = await getMms(tx, target.id);
    if (!mms || mms.recipient !== msisdn || mms.purgedAt || mms.expiresAt <= now) return null;
    return mms.passwordHash;
  }
  const sub = await getSubscriber(tx, msisdn);
  return (target.kind === 'archive' ? sub?.archivePasswordHash : sub?.accountPasswordHash) ?? null;
}

export async function attemptLogin(deps: SubscriberDeps, target: LoginTarget, msisdn: string, password: string, locale: Locale): Promise<LoginResult> {
  const { login, sessionTtlMin } = deps.config.web;
  return withSms(deps, async (tx, send) => {
    const account = await lockWebAccount(tx, msisdn);
    const now = deps.now();
    if (account.lockedUntil && account.lockedUntil > now) return { ok: false, reason: 'locked', until: account.lockedUntil };
    const hash = await currentHash(tx, target, msisdn, now);
    const good = await verifyPassword(password, hash ?? dummyHash(deps.config.passwords.scryptLogN));
    const from = target.kind === 'archive' ? WEB_SMS_FROM.archive : WEB_SMS_FROM.account;
    const msg = webMessage(msisdn, from, locale);
    const alert = (kind: 'login' | 'failed' | 'locked', minutes?: number) => sendAlert(deps, tx, send, msisdn, from, locale, kind, minutes);
    if (good && hash) {
      await clearLoginFailures(tx, msisdn);
      if (account.lockedUntil) await setLockedUntil(tx, msisdn, null, now);
      await logOperation(tx, msg, 'web.login', 'ok', now, { page: target.kind });
      if (account.alertOnLogin) await alert('login');
      const session: Session = { msisdn, pv: passwordVersion(hash), exp: now.getTime() + sessionTtlMin * 60_000, ...(target.kind === 'mms' ? { mms: target.id } : {}) };
      return { ok: true, session };
    }
    const failures = await recordLoginFailure(tx, msisdn, now, new Date(now.getTime() - login.windowMin * 60_000));
    if (failures >= login.maxFailures) {
      const until = new Date(now.getTime() + login.lockMin * 60_000);
      await setLockedUntil(tx, msisdn, until, now);
      await clearLoginFailures(tx, msisdn);
      await logOperation(tx, msg, 'web.login', 'locked', now, { page: target.kind });
      if (account.alertOnFailure) await alert('locked', login.lockMin);
      deps.log.info({ msisdn: deps.tag(msisdn) }, 'web login locked after too many wrong passwords');
      return { ok: false, reason: 'locked', until };
    }
    await logOperation(tx, msg, 'web.login', 'failed', now, { page: target.kind });
    if (account.alertOnFailure) await alert('failed');
    return { ok: false, reason: 'bad' };
  });
}

async function sendAlert(deps: SubscriberDeps, tx: Tx, send: SendSms, msisdn: string, from: string, locale: Locale, kind: 'login' | 'failed' | 'locked', minutes?: number) {
  const msg = webMessage(msisdn, from, locale);
  const replies = await accountAlert.run(tx, msg, { kind, ...(minutes === undefined ? {} : { minutes }) }, { ...deps.action, render: deps.render });
  for (const r of replies) await send(msisdn, from, r, locale);
}
