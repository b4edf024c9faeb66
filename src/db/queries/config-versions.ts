/**
 * Every operator change to the config is one transaction: lock the version row, apply the change, read the
 * result, validate it, bump config_state.version (nodes poll it and reload) and record the version with
 * who, what and the full document (secrets as config-secrets.ts stores them). A refused change leaves
 * nothing behind.
 */
import { desc, eq, lt } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../client.js';
import { configState, configVersions } from '../schema/index.js';
import { normaliseDoc, readConfigDoc, type ConfigDoc } from './config-doc.js';
import { diffConfigDocs, isEmptyDiff, summariseDiff, type ConfigDiff } from './config-diff.js';
import { fingerprintKey, toStoredDoc, type StoredDoc } from './config-secrets.js';
import { bumpConfigVersion } from './config.js';

export interface ChangeOptions {
  /** Who asked (the admin token's name). */
  actor: string;
  /** Throws to refuse the resulting config; the transaction then rolls back. */
  validate(doc: ConfigDoc): void;
  /** Put before the generated summary, e.g. "rollback to version 3". */
  reason?: string;
  /** Validate and diff only; nothing is saved. */
  check?: boolean;
}

export interface ChangeOutcome<T> {
  result: T;
  /** The version now current (unchanged when nothing changed or `check` was set). */
  version: number;
  saved: boolean;
  summary: string;
  diff: ConfigDiff;
}

class CheckOnly<T> extends Error {
  constructor(readonly outcome: ChangeOutcome<T>) { super('check only: rolled back'); }
}

export async function changeConfig<T>(db: Db, opts: ChangeOptions, mutate: (tx: Tx) => Promise<T>): Promise<ChangeOutcome<T>> {
  try {
    return await db.transaction(async (tx) => {
      // Serialises config changes across nodes: bumpConfigVersion updates this same row.
      const [state] = await tx.select({ version: configState.version }).from(configState).where(eq(configState.id, 1)).for('update');
      const current = state?.version ?? 0;
      const key = await fingerprintKey(tx);
      const before = toStoredDoc(await readConfigDoc(tx), key);
      await recordBaseline(tx, current, before);
      const result = await mutate(tx);
      const read = await readConfigDoc(tx);
      const after = toStoredDoc(read, key);
      const diff = diffConfigDocs(before, after);
      const summary = [opts.reason, summariseDiff(diff)].filter(Boolean).join(': ');
      if (isEmptyDiff(diff)) return { result, version: current, saved: false, summary, diff };
      opts.validate(read);
      if (opts.check) throw new CheckOnly({ result, version: current, saved: false, summary, diff });
      const version = await bumpConfigVersion(tx);
      await tx.insert(configVersions).values({ version, actor: opts.actor, summary, snapshot: after as never });
      return { result, version, saved: true, summary, diff };
    });
  } catch (e) {
    if (e instanceof CheckOnly) return e.outcome as ChangeOutcome<T>;
    throw e;
  }
}

/**
 * The version current before the first recorded change (the seed), or one reached by a change made outside
 * the admin API, has no row yet: record it as found, so it can be diffed and rolled back to.
 */
async function recordBaseline(tx: Tx, version: number, doc: StoredDoc): Promise<void> {
  await tx.insert(configVersions)
    .values({ version, actor: 'system', summary: 'config as found before the next recorded change', snapshot: doc as never })
    .onConflictDoNothing();
}

export interface VersionRow { version: number; actor: string; summary: string; createdAt: Date }

export async function listVersions(db: DbOrTx, limit: number): Promise<VersionRow[]> {
  return db.select({ version: configVersions.version, actor: configVersions.actor, summary: configVersions.summary, createdAt: configVersions.createdAt })
    .from(configVersions).orderBy(desc(configVersions.version)).limit(limit);
}

/** A recorded version, in stored form (a snapshot older than fingerprints is converted as it is read). */
export async function getVersion(db: DbOrTx, version: number): Promise<(VersionRow & { doc: StoredDoc }) | undefined> {
  const [row] = await db.select().from(configVersions).where(eq(configVersions.version, version));
  if (!row) return undefined;
  const { snapshot, ...rest } = row;
  return { ...rest, doc: toStoredDoc(normaliseDoc(snapshot as Partial<ConfigDoc>), await fingerprintKey(db)) };
}

/** The recorded version before `version` (versions changed outside the admin API leave gaps). */
export async function previousVersion(db: DbOrTx, version: number): Promise<number | undefined> {
  const [row] = await db.select({ version: configVersions.version }).from(configVersions)
    .where(lt(configVersions.version, version)).orderBy(desc(configVersions.version)).limit(1);
  return row?.version;
}
