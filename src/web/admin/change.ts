import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../db/client.js';
import { changeConfig, type ChangeOutcome } from '../../db/queries/config-versions.js';
import { ScgwError } from '../../errors.js';
import { operatorName } from './auth.js';
import { assertValidConfig } from './validate.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The vendor profiles links may name (AdminDeps.links.vendors); unset: not checked. */
    knownVendors?: readonly string[];
  }
}

/**
 * Runs one operator change as a new config version: validated as a whole, recorded with the token's name,
 * and bumped so every node reloads. Throwing inside `mutate` (not found, conflict) leaves nothing behind.
 */
export async function applyChange<T>(db: Db, req: FastifyRequest, mutate: (tx: Tx) => Promise<T>, opts: { reason?: string; check?: boolean } = {}): Promise<ChangeOutcome<T>> {
  const actor = operatorName(req);
  const known = { vendors: req.server.knownVendors };
  const out = await changeConfig(db, { actor, validate: (doc) => assertValidConfig(doc, known), ...opts }, mutate);
  // The summary names entries and fields only, never values (a template body may be sensitive).
  if (out.saved) req.log.info({ version: out.version, actor, summary: out.summary }, 'config changed');
  return out;
}

export function notFound(what: string): never {
  throw new ScgwError('SCGW_NOT_FOUND', `no ${what}`);
}

export function conflict(message: string): never {
  throw new ScgwError('SCGW_CONFLICT', message);
}

/** A URL parameter by name (fastify has already percent-decoded it). */
export function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string | undefined>)[name] ?? '';
}
