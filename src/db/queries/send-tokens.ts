/**
 * The send API's side of admin tokens (issue 11 item 3): the from addresses a `send` token may use, its rate,
 * its daily quota, and the secret that signs its callbacks (kept as given: HMAC needs it; never listed).
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { adminTokens } from '../schema/index.js';
import { tokenHash, type TokenScope } from './tokens.js';

export interface SendLimits {
  allowedSources: string[];
  /** At most `max` messages per `perS` seconds (1 or 60); null: uncapped. */
  rate: { max: number; perS: number } | null;
  dailyQuota: number | null;
}

export interface SendToken extends SendLimits {
  id: string; name: string; scopes: TokenScope[]; expiresAt: Date | null; callbackSecret: string | null;
}

const COLUMNS = {
  id: adminTokens.id, name: adminTokens.name, scopes: adminTokens.scopes, expiresAt: adminTokens.expiresAt,
  allowedSources: adminTokens.allowedSources, sendRate: adminTokens.sendRate, sendRateWindowS: adminTokens.sendRateWindowS,
  dailyQuota: adminTokens.dailyQuota, callbackSecret: adminTokens.callbackSecret,
};

interface Row {
  id: string; name: string; scopes: string[]; expiresAt: Date | null; allowedSources: string[];
  sendRate: number | null; sendRateWindowS: number; dailyQuota: number | null; callbackSecret: string | null;
}

function toSendToken(r: Row): SendToken {
  return {
    id: r.id, name: r.name, scopes: r.scopes as TokenScope[], expiresAt: r.expiresAt, callbackSecret: r.callbackSecret,
    allowedSources: r.allowedSources, rate: r.sendRate === null ? null : { max: r.sendRate, perS: r.sendRateWindowS }, dailyQuota: r.dailyQuota,
  };
}

export async function findSendToken(db: DbOrTx, token: string): Promise<SendToken | undefined> {
  const [row] = await db.select(COLUMNS).from(adminTokens).where(eq(adminTokens.tokenHash, tokenHash(token)));
  return row ? toSendToken(row) : undefined;
}

export async function getSendLimits(db: DbOrTx, id: string): Promise<(SendLimits & { hasCallbackSecret: boolean }) | undefined> {
  const [row] = await db.select(COLUMNS).from(adminTokens).where(eq(adminTokens.id, id));
  if (!row) return undefined;
  const t = toSendToken(row);
  return { allowedSources: t.allowedSources, rate: t.rate, dailyQuota: t.dailyQuota, hasCallbackSecret: t.callbackSecret !== null };
}

/** Sets the given limits (left out: unchanged); returns false when no such token. */
export async function setSendLimits(db: DbOrTx, id: string, limits: Partial<SendLimits>): Promise<boolean> {
  const set = {
    ...(limits.allowedSources !== undefined ? { allowedSources: limits.allowedSources } : {}),
    ...(limits.rate !== undefined ? { sendRate: limits.rate?.max ?? null, sendRateWindowS: limits.rate?.perS ?? 1 } : {}),
    ...(limits.dailyQuota !== undefined ? { dailyQuota: limits.dailyQuota } : {}),
  };
  if (Object.keys(set).length === 0) return (await db.select({ id: adminTokens.id }).from(adminTokens).where(eq(adminTokens.id, id))).length > 0;
  const done = await db.update(adminTokens).set(set).where(eq(adminTokens.id, id)).returning({ id: adminTokens.id });
  return done.length > 0;
}

/** A new callback-signing secret (the old one stops signing at once); undefined when no such token. */
export async function rotateCallbackSecret(db: DbOrTx, id: string): Promise<string | undefined> {
  const secret = 'whsec_' + randomBytes(32).toString('base64url');
  const done = await db.update(adminTokens).set({ callbackSecret: secret }).where(eq(adminTokens.id, id)).returning({ id: adminTokens.id });
  return done.length ? secret : undefined;
}

/** Every token's send limits by id (GET /admin/tokens). */
export async function listSendLimits(db: DbOrTx): Promise<Map<string, SendLimits>> {
  const rows = await db.select(COLUMNS).from(adminTokens);
  return new Map(rows.map((r) => {
    const t = toSendToken(r);
    return [t.id, { allowedSources: t.allowedSources, rate: t.rate, dailyQuota: t.dailyQuota }];
  }));
}
