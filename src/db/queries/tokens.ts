import { createHash, randomBytes } from 'node:crypto';
import { asc, count, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { adminTokens } from '../schema/index.js';

/** Admin tokens are 256-bit random strings: SHA-256 is enough to store them (they are not guessable passwords). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a token may do (checked in web/admin/auth.ts); `admin` may do everything, tokens included. */
export type TokenScope = 'read' | 'write' | 'send' | 'admin' | 'ussd';

export interface TokenGrant { scopes: TokenScope[]; expiresAt: Date | null }

export async function createToken(db: DbOrTx, name: string, grant: TokenGrant = { scopes: ['admin'], expiresAt: null }): Promise<{ id: string; token: string }> {
  const token = 'scgw_' + randomBytes(32).toString('base64url');
  const id = randomBytes(6).toString('hex');
  await db.insert(adminTokens).values({ id, name, tokenHash: tokenHash(token), scopes: grant.scopes, expiresAt: grant.expiresAt });
  return { id, token };
}

export interface FoundToken extends TokenGrant { id: string; name: string }

export async function findToken(db: DbOrTx, token: string): Promise<FoundToken | undefined> {
  const [row] = await db.select({ id: adminTokens.id, name: adminTokens.name, scopes: adminTokens.scopes, expiresAt: adminTokens.expiresAt })
    .from(adminTokens).where(eq(adminTokens.tokenHash, tokenHash(token)));
  return row ? { ...row, scopes: row.scopes as TokenScope[] } : undefined;
}

export async function countTokens(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(adminTokens);
  return Number(row?.n ?? 0);
}

export interface TokenRow extends TokenGrant { id: string; name: string; createdAt: Date }

export async function listTokens(db: DbOrTx): Promise<TokenRow[]> {
  const rows = await db.select({ id: adminTokens.id, name: adminTokens.name, scopes: adminTokens.scopes, expiresAt: adminTokens.expiresAt, createdAt: adminTokens.createdAt })
    .from(adminTokens).orderBy(asc(adminTokens.createdAt), asc(adminTokens.id));
  return rows.map((r) => ({ ...r, scopes: r.scopes as TokenScope[] }));
}

export async function deleteToken(db: DbOrTx, id: string): Promise<boolean> {
  const gone = await db.delete(adminTokens).where(eq(adminTokens.id, id)).returning({ id: adminTokens.id });
  return gone.length > 0;
}
