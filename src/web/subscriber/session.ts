/**
 * Subscriber sessions: one signed, HTTP-only cookie per kind of login (archive, account, one MMS). The cookie
 * holds the number, an expiry and a fingerprint of the password hash it was opened with, so a new password
 * (232 ON, 111 25) ends every older session. Signed by @fastify/cookie (HMAC with the session secret).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type SessionKind = 'archive' | 'account' | 'mms';

export interface Session {
  msisdn: string;
  /** passwordVersion() of the hash the login verified against. */
  pv: string;
  /** expiry, ms since the epoch (the injected clock). */
  exp: number;
  /** for `mms`: the MMS this session may view. */
  mms?: string;
}

const cookieName = (kind: SessionKind) => `scgw_${kind}`;

export function passwordVersion(hash: string): string {
  return createHash('sha256').update(hash).digest('base64url').slice(0, 16);
}

export function setSession(reply: FastifyReply, kind: SessionKind, s: Session, secure: boolean): void {
  const value = Buffer.from(JSON.stringify(s)).toString('base64url');
  reply.setCookie(cookieName(kind), value, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

export function clearSession(reply: FastifyReply, kind: SessionKind): void {
  reply.clearCookie(cookieName(kind), { path: '/' });
}

/** The session if its signature holds and it has not expired; its password check is the caller's (it knows the hash). */
export function readSession(req: FastifyRequest, kind: SessionKind, now: Date): Session | null {
  const rawCookie = req.cookies[cookieName(kind)];
  if (!rawCookie) return null;
  const unsigned = req.unsignCookie(rawCookie);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const s = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Partial<Session>;
    if (typeof s.msisdn !== 'string' || typeof s.pv !== 'string' || typeof s.exp !== 'number') return null;
    if (s.exp <= now.getTime()) return null;
    return { msisdn: s.msisdn, pv: s.pv, exp: s.exp, ...(typeof s.mms === 'string' ? { mms: s.mms } : {}) };
  } catch {
    return null;
  }
}

/** The session still matches the number's current password hash. */
export function sessionCurrent(s: Session, hash: string | null | undefined): boolean {
  return !!hash && passwordVersion(hash) === s.pv;
}
