/**
 * Group commit for MO: the actions of MO arriving within a couple of milliseconds run in ONE transaction,
 * with one multi-row insert of idempotency keys, one of replies, and one statement each for the batch's
 * archive rows, operations log and locale guesses: a help reply costs a fraction of a statement, and one
 * commit is shared by the batch. Correctness is the per-MO path's:
 * the key insert decides who acts, a failure rolls the whole batch back and each MO is then retried in a
 * transaction of its own (a poison MO fails alone). Slow preparation (password hashing) runs before `submit`, never
 * inside a batch; the MO so prepared gather (BatchItem.gather) while others are still being prepared (expect()).
 * A batch of only `pure` MO (help, MMS settings, a menu screen: nothing read or written in the transaction but the
 * rows they hand back) is ONE statement (db/queries/mo-batch.ts) with the same outcome: one round trip, not four.
 */
import type { Db, Tx } from '../../db/client.js';
import { insertOperations, type NewOperationRow, type OperationSink } from '../../db/queries/operations.js';
import { archiveManyIfOn, type ArchiveEntry } from '../../db/queries/sms-archive.js';
import { noteMoLocales, type LocaleGuess } from '../../db/queries/subscriber-locale.js';
import { insertReplies, takeMoKeys, type MoKeyRow, type ReplyRow } from '../../db/queries/batch-rows.js';
import { writeMoBatch, type Keyed } from '../../db/queries/mo-batch.js';
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RelayRow } from '../outbox/relay.js';

export type NewReply = ReplyRow;
/** What the MO log keeps of an MO (processed_mo's columns besides the key; issue 11). */
export type MoRecord = Omit<MoKeyRow, 'idemKey'>;

export interface BatchItem {
  idemKey: string;
  /**
   * Its MO comes out of a slow preparation (a password hash), so such MO arrive one by one, a hash apart: while
   * other MO are still being prepared (MoBatcher.expect), it waits for them, up to `gatherMs` from the first, before
   * a transaction starts; at once when none is, or when an MO that waits for nothing joins it.
   */
  gather?: boolean;
  /**
   * Its act touches the transaction only through the sinks it is given (Action.pure: help, MMS settings, a blocked
   * number, a USSD menu screen): a batch of only such MO runs its acts first and writes everything in ONE statement
   * (db/queries/mo-batch.ts) instead of a transaction of four round trips. Its act then gets a transaction that
   * throws when used, and runs even when its key turns out to be taken (what it returns is then dropped).
   */
  pure?: boolean;
  /** Written with the key, in the same multi-row insert: the operator's MO log costs no statement of its own. */
  record?: MoRecord;
  /**
   * Runs the action in the given transaction, its operations-log rows to `operations` and its MO archive rows to
   * `archive`, the language its text suggests to `locales`; returns the replies to write.
   */
  act(tx: Tx, operations: OperationSink, archive: ArchiveBatch, locales: (guess: LocaleGuess) => void): Promise<NewReply[]>;
}

/**
 * The batch's MO archive rows: each is stored only if its number's archive is on, checked and inserted in one
 * statement for the whole batch at its end. An action that turns a number's archive on or off calls
 * `flush(msisdn)` BEFORE its update, so the rows deferred by earlier MO of the batch see the archive as it was
 * after their own action, exactly as a per-MO check did. Only another number's rows deferred: nothing to store
 * yet (the change cannot touch them), so a batch of `ON` from many numbers still stores its archive rows at once.
 */
export interface ArchiveBatch {
  defer(entry: ArchiveEntry): void;
  /** Stores the deferred rows (in order) if any is `msisdn`'s; without `msisdn`, all of them. */
  flush(msisdn?: string): Promise<void>;
}

/** null: acted on before (the key was taken); else the replies written, ready to relay. */
export type BatchResult = RelayRow[] | null;

export interface MoBatcher {
  submit(item: BatchItem): Promise<BatchResult>;
  /**
   * An MO is being prepared (hashed) and will be submitted as a `gather` item: waiting batches of such items wait
   * for it. Call the returned function once, right before its submit (or when it is given up); it is idempotent.
   */
  expect(): () => void;
}

interface Pending { item: BatchItem; resolve(r: BatchResult): void; reject(e: unknown): void; at: number }

export interface MoBatcherDeps {
  db: Db;
  log: Logger;
  maxBatch?: number;
  maxWaitMs?: number;
  /**
   * How long a batch of only `gather` items waits at most from its first (default 200 ms), while more are being
   * prepared (expect()). Hashed MO come at most one per core per hash time (about 30 ms at SCRYPT_LOG_N 14): without
   * the wait each is a transaction of its own, whose fixed cost (begin, key, replies, log, commit: round trips on the
   * node and work in PostgreSQL) then takes the CPU the hashes need. The wait is only ever spent while hashes are
   * queued or running, which already delay a password reply; a lone `ON` starts its transaction at once.
   */
  gatherMs?: number;
  /**
   * Batch transactions running at once (default 2). While they all run, new MO gather for the next one, so a
   * batch grows with the load (one transaction per arrival window of ~2 ms would stay small at any rate).
   */
  maxInFlight?: number;
  /**
   * A transaction not settled after this long is given up (default 5 s: within the chaos suite's 10 s recovery bar,
   * where 20 s made a PostgreSQL restart take 28 s to recover): its MO fail as on any database error and are retried;
   * a batch given up is retried MO by MO at once. Seen after PostgreSQL restarts: a postgres.js connection that waits
   * forever for an answer (db/client.ts StuckGuard ends those the server sees; this covers the ones it cannot). If the
   * abandoned transaction commits after all, the retry finds the MO's key taken and relays its replies again
   * (relayByIdemKey): acted on once.
   */
  txTimeoutMs?: number;
  /** Each transaction run: its MO, its duration (first statement to commit or rollback) and whether it committed. */
  onBatch?(o: { size: number; ms: number; ok: boolean }): void;
  /** A transaction was given up (txTimeoutMs): the gateway replaces the database pool (db/client.ts DbHandle.reset). */
  onGiveUp?(): void;
}

/** What a `pure` item's act gets for a transaction: any use of it is a fault of the action's `pure` flag. */
const UNUSABLE_TX = new Proxy({}, {
  get(_t, prop) { throw new Error(`an MO batch item marked pure used its transaction (${String(prop)})`); },
}) as Tx;

export function createMoBatcher(deps: MoBatcherDeps): MoBatcher {
  const maxBatch = deps.maxBatch ?? 64;
  const maxWaitMs = deps.maxWaitMs ?? 2;
  const gatherMs = deps.gatherMs ?? 200;
  const maxInFlight = deps.maxInFlight ?? 2;
  const txTimeoutMs = deps.txTimeoutMs ?? 5_000;
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let inFlight = 0;
  let expected = 0; // MO being prepared, to be submitted as gather items (expect())

  /** A batch of only `pure` items: every act first, then one statement that writes what the keys taken now need. */
  async function runPure(items: readonly Pending[]): Promise<Map<Pending, BatchResult>> {
    const keys: MoKeyRow[] = [];
    const archive: Keyed<ArchiveEntry>[] = [];
    const operations: Keyed<NewOperationRow>[] = [];
    const locales: Keyed<LocaleGuess>[] = [];
    const replies: NewReply[] = [];
    const acting: Pending[] = [];
    const results = new Map<Pending, BatchResult>();
    const seen = new Set<string>();
    for (const p of items) {
      const idemKey = p.item.idemKey;
      // Of two MO with one key in a batch, the first acts and the second is a duplicate.
      if (seen.has(idemKey)) { results.set(p, null); continue; }
      seen.add(idemKey);
      keys.push({ ...p.item.record, idemKey });
      acting.push(p);
      const batch: ArchiveBatch = { defer: (entry) => { archive.push({ ...entry, idemKey }); }, flush: async () => {} };
      replies.push(...(await p.item.act(UNUSABLE_TX, (row) => { operations.push({ ...row, idemKey }); }, batch, (guess) => { locales.push({ ...guess, idemKey }); })));
    }
    const written = await writeMoBatch(deps.db, { keys, archive, operations, locales, replies });
    const actedBy = new Map<string, RelayRow[]>();
    for (const p of acting) {
      if (!written.fresh.has(p.item.idemKey)) { results.set(p, null); continue; } // acted on before
      const rows: RelayRow[] = [];
      results.set(p, rows);
      actedBy.set(p.item.idemKey, rows);
    }
    for (const { idemKey, ...row } of written.replies) actedBy.get(idemKey)?.push(row);
    return results;
  }

  async function runBatch(items: readonly Pending[]): Promise<Map<Pending, BatchResult>> {
    if (items.every((p) => p.item.pure === true)) return runPure(items);
    return deps.db.transaction(async (tx) => {
      const keyed = new Map<string, MoRecord>();
      for (const p of items) if (!keyed.has(p.item.idemKey)) keyed.set(p.item.idemKey, p.item.record ?? {});
      const fresh = new Set(await takeMoKeys(tx, [...keyed].map(([idemKey, record]) => ({ ...record, idemKey }))));
      const results = new Map<Pending, BatchResult>();
      const actedBy = new Map<string, RelayRow[]>();
      const values: NewReply[] = [];
      const logged: NewOperationRow[] = []; // the batch's operations-log rows, written in one statement below
      const operations: OperationSink = (row) => { logged.push(row); };
      const guesses: LocaleGuess[] = []; // the batch's locale guesses, one statement below
      const locales = (guess: LocaleGuess) => { guesses.push(guess); };
      let deferred: ArchiveEntry[] = [];
      const archive: ArchiveBatch = {
        defer: (entry) => { deferred.push(entry); },
        async flush(msisdn) {
          if (msisdn !== undefined && !deferred.some((e) => e.msisdn === msisdn)) return;
          const rows = deferred;
          deferred = [];
          if (rows.length) await archiveManyIfOn(tx, rows);
        },
      };
      for (const p of items) {
        // delete(): of two MO with one key in a batch, the first acts and the second is a duplicate.
        if (!fresh.delete(p.item.idemKey)) { results.set(p, null); continue; }
        values.push(...(await p.item.act(tx, operations, archive, locales)));
        const rows: RelayRow[] = [];
        results.set(p, rows);
        actedBy.set(p.item.idemKey, rows);
      }
      // Four independent statements sent together: the driver writes them in one go and the server runs them in
      // order (a failure aborts the transaction, and the batch with it), one round trip instead of four.
      const [, , , written] = await Promise.all([archive.flush(), noteMoLocales(tx, guesses), insertOperations(tx, logged), insertReplies(tx, values)]);
      for (const { idemKey, ...row } of written) actedBy.get(idemKey)?.push(row);
      return results;
    });
  }

  async function flush(items: Pending[]) {
    const started = performance.now();
    let results: Map<Pending, BatchResult>;
    let giveUp: NodeJS.Timeout | undefined;
    try {
      results = await Promise.race([runBatch(items), new Promise<never>((_, reject) => {
        giveUp = setTimeout(() => {
          reject(new ScgwError('SCGW_DB_TIMEOUT', `MO transaction not settled after ${txTimeoutMs} ms; given up`));
          deps.onGiveUp?.();
        }, txTimeoutMs);
      })]);
    } catch (e) {
      deps.onBatch?.({ size: items.length, ms: performance.now() - started, ok: false });
      if (items.length === 1) { items[0]!.reject(e); return; }
      deps.log.warn({ err: e, batch: items.length }, 'MO batch failed; retrying each MO on its own');
      await Promise.all(items.map((p) => flush([p])));
      return;
    } finally {
      clearTimeout(giveUp);
    }
    // Durable from here: every action of the batch, its log and its replies committed together.
    deps.onBatch?.({ size: items.length, ms: performance.now() - started, ok: true });
    for (const p of items) p.resolve(results.get(p) ?? null);
  }

  /** Runs drain in `ms`, unless a timer already runs it as soon or sooner. */
  function schedule(ms: number) {
    const at = performance.now() + ms;
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(drain, ms);
  }

  /** How long the waiting MO may still gather: only while every one of them is a `gather` item and more are coming. */
  function gatherLeft(): number {
    if (expected === 0 || queue.length >= maxBatch || queue.some((p) => p.item.gather !== true)) return 0;
    return queue[0]!.at + gatherMs - performance.now();
  }

  /** Starts a batch of what waits, unless every writer is busy: the first to finish then takes it at once. */
  function drain() {
    if (timer) { clearTimeout(timer); timer = undefined; timerAt = Infinity; }
    if (inFlight >= maxInFlight || queue.length === 0) return;
    const left = gatherLeft();
    if (left >= 1) { schedule(left); return; }
    const items = queue.splice(0, maxBatch);
    inFlight++;
    void flush(items).finally(() => {
      inFlight--;
      drain();
    });
  }

  return {
    expect() {
      expected++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        expected--;
        // The last one awaited is here (or given up): what gathered for it need not wait any longer.
        if (expected === 0 && queue.length > 0 && inFlight < maxInFlight) schedule(maxWaitMs);
      };
    },
    submit(item) {
      return new Promise<BatchResult>((resolve, reject) => {
        const p = { item, resolve, reject, at: performance.now() };
        queue.push(p);
        if (queue.length >= maxBatch) drain();
        else if (inFlight < maxInFlight) schedule(item.gather === true ? Math.max(maxWaitMs, gatherLeft()) : maxWaitMs);
      });
    },
  };
}
