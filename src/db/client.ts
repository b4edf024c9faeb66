/**
 * One `Db` type for both drivers: postgres.js when a URL is given, embedded PGlite otherwise.
 * db/ imports nothing else of ours. PGlite has no data-dir lock (LIBRARIES.md §4), so we take one.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The rows of a raw `execute()`: postgres.js returns a row array, PGlite `{ rows }` (LIBRARIES.md §4). */
export function rowsOf<T>(r: unknown): T[] {
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

/**
 * On the preparing handle (preparing()): postgres.js's `unsafe` without a prepared statement, for rawRows' planEachRun.
 * PostgreSQL may keep a generic plan of a prepared statement after five runs, costed on the tables as they were then;
 * only ANALYZE (autovacuum) replans it. Where autovacuum is off, a statement first run on a near-empty table keeps
 * its sequential scans as the table grows: the outbox marks read the whole outbox on every flush (6.5 ms each after
 * 20,000 MO, seen with auto_explain). Unprepared, it is parsed and planned on each run, with its actual parameters,
 * at the cost of a describe round trip first.
 */
const UNPREPARED = Symbol('scgw.unprepared');

/**
 * A fixed statement text (`$n` parameters) run on the driver under `db` without drizzle's query builder, which
 * rebuilds a long text from its template on every run: the MO batch's statement (db/queries/mo-batch.ts) cost
 * about 8 KB of garbage per MO that way. Rows as objects; postgres.js prepares it (the handle's own `unsafe`, as
 * drizzle's raw execute does), PGlite runs it with its default parsers (timestamps as Date, json parsed). planEachRun:
 * not prepared (UNPREPARED), for a statement whose best plan changes as its tables grow.
 */
export async function rawRows<T>(db: Db, text: string, params: unknown[], o?: { planEachRun?: boolean }): Promise<T[]> {
  const client = (db as unknown as { $client: unknown }).$client;
  if (o?.planEachRun && typeof (client as Partial<Record<typeof UNPREPARED, unknown>>)[UNPREPARED] === 'function') {
    return await (client as unknown as Record<typeof UNPREPARED, postgres.Sql['unsafe']>)[UNPREPARED](text, params as never[]) as unknown as T[];
  }
  if (typeof (client as postgres.Sql).unsafe === 'function') return await (client as postgres.Sql).unsafe(text, params as never[]) as unknown as T[];
  return (await (client as { query(t: string, p: unknown[], o: { rowMode: 'object' }): Promise<{ rows: T[] }> }).query(text, params, { rowMode: 'object' })).rows;
}

/**
 * drizzle runs every query it did not name with postgres.js's `prepare: false`: the unnamed statement, parsed and
 * planned on every run, and with parameters described first, a second round trip before each execution. This
 * handle asks postgres.js to prepare them (its default), in transactions and savepoints too: each statement text
 * is prepared once per connection. Hot statements keep one text (db/queries/batch-rows.ts); connections are
 * recycled (postgres.js max_lifetime, 30–60 min), which bounds the cache. `?prepare=false` in DATABASE_URL turns
 * it off (a transaction-mode pooler such as PgBouncer before 1.21).
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  const wrap = (fn: (...a: never[]) => unknown) => (...args: unknown[]) => {
    const cb = args[args.length - 1] as (inner: postgres.Sql) => unknown;
    return (fn as (...a: unknown[]) => unknown)(...args.slice(0, -1), (inner: postgres.Sql) => cb(preparing(inner)));
  };
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === UNPREPARED) return (query: string, params?: unknown[]) => target.unsafe(query, params as never[], { prepare: false });
      if (prop === 'unsafe') {
        return (query: string, params?: unknown[], o?: Record<string, unknown>) => target.unsafe(query, params as never[], { ...o, prepare: true });
      }
      if (prop === 'begin' || prop === 'savepoint') return wrap((target as unknown as Record<string, (...a: never[]) => unknown>)[prop]!.bind(target));
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/**
 * A postgres.js client that can be replaced under its users (DbHandle.reset): `sql` forwards every call and
 * property to the current client. The new client gets the old one's parsers and serializers, which drizzle
 * sets on the client it is given (JSON and dates passed through as text).
 */
function swappable(make: () => postgres.Sql) {
  let current = make();
  let swappedAt = -Infinity;
  const ending = new Set<Promise<void>>();
  const sql = new Proxy(function scgwPool() {} as unknown as postgres.Sql, {
    get(_t, prop) {
      const v: unknown = Reflect.get(current, prop);
      return typeof v === 'function' ? v.bind(current) : v;
    },
    apply: (_t, thisArg, args) => Reflect.apply(current as unknown as (...a: unknown[]) => unknown, thisArg, args),
  });
  return {
    sql,
    swap(graceS: number, minGapMs: number): boolean {
      if (performance.now() - swappedAt < minGapMs) return false;
      swappedAt = performance.now();
      const old = current;
      current = make();
      Object.assign(current.options.parsers, old.options.parsers);
      Object.assign(current.options.serializers, old.options.serializers);
      const done = old.end({ timeout: graceS }).catch(() => {}).finally(() => ending.delete(done));
      ending.add(done);
      return true;
    },
    async end() {
      await Promise.all([current.end({ timeout: 5 }), ...ending]);
    },
  };
}

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: `db` moves to a fresh pool at once, and the old one ends (its queries get `graceS` to finish,
   * then its connections are closed). For a pool whose bookkeeping hangs on the client's side: after a PostgreSQL
   * restart, postgres.js was seen holding connections for transactions that never settle while the server had them
   * idle, so every later transaction waited for a connection (test/faults/pg-restart.test.ts). At most once per
   * `minGapMs`; false when skipped.
   */
  reset?(o?: { graceS?: number; minGapMs?: number }): boolean;
}

export class DbLockedError extends Error {
  constructor(readonly path: string, readonly pid: number) {
    super(`the embedded database in ${path} is in use by process ${pid}; stop it first or set DATABASE_URL`);
    this.name = 'DbLockedError';
  }
}

const MIGRATIONS = new URL('../../drizzle', import.meta.url).pathname;

/**
 * The pool's guard against a connection that lost its place in the extended protocol. Seen after PostgreSQL
 * restarts (test/faults/pg-restart.test.ts, about one run in twenty under load): the server has run a statement's
 * Parse and waits for the client's next message (state 'active', wait_event ClientRead) while postgres.js waits
 * for an answer, forever. A transaction there never settles, so its MO job stays active, and the key it inserted
 * blocks every retry of that MO. The guard ends such backends of this pool (its application_name) once stuck for
 * `stuckAfterMs`: postgres.js then sees the connection close, the transaction fails, and the job is retried.
 * It polls on a connection of its own, so a pool full of stuck connections does not stop it.
 *
 * It also ends the pool's backends the server sees as waiting for a client that no longer speaks: idle inside a
 * transaction for `idleInTxAfterMs`, or idle for `idleAfterMs`. The pool closes its own idle connections after a
 * third of `idleAfterMs` (postgres.js idle_timeout), so a backend idle longer is one whose connection hangs on the
 * client's side. Seen after PostgreSQL restarts too: the MO batch gives such a transaction up (pipeline/mo/batch.ts),
 * but its connection stayed taken; ended here, it goes back to the pool instead of shrinking it for good.
 */
export interface StuckGuard {
  everyMs: number;
  stuckAfterMs: number;
  /** Default 60 s: no transaction of ours waits on the client that long (a password is hashed before its transaction). */
  idleInTxAfterMs?: number;
  /** Default 180 s; the pool's connections close themselves after a third of it. */
  idleAfterMs?: number;
  /** Backends ended by one poll (their pids). */
  onEnded(pids: number[]): void;
  onError(e: unknown): void;
}

const APPLICATION_NAME = 'scgw';
const IDLE_IN_TX_AFTER_MS = 60_000;
const IDLE_AFTER_MS = 180_000;

export async function openDb(opts: { url?: string; dataDir: string; poolMax: number; guard?: StuckGuard }): Promise<DbHandle> {
  if (opts.url) {
    const url = opts.url;
    const idleTimeoutS = Math.max(1, Math.floor((opts.guard?.idleAfterMs ?? IDLE_AFTER_MS) / 3000));
    const pool = swappable(() => postgres(url, { max: opts.poolMax, onnotice: () => {}, backoff: reconnectBackoff, idle_timeout: idleTimeoutS, connection: { application_name: APPLICATION_NAME } }));
    const db = drizzlePg(preparing(pool.sql), { schema }) as unknown as Db;
    const stopGuard = opts.guard ? startStuckGuard(url, opts.guard) : undefined;
    return {
      db,
      kind: 'postgres',
      async migrate() {
        const { migrate } = await import('drizzle-orm/postgres-js/migrator');
        await migrate(db as never, { migrationsFolder: MIGRATIONS });
      },
      async close() {
        await stopGuard?.();
        await pool.end();
      },
      reset: (o) => pool.swap(o?.graceS ?? 5, o?.minGapMs ?? 10_000),
    };
  }
  const dir = join(opts.dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  const releaseLock = takeLock(join(opts.dataDir, 'pg.lock'));
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) initEmbedded(dir);
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle: drizzleLite } = await import('drizzle-orm/pglite');
    const client = await PGlite.create(dir, { postgresqlconf: PGLITE_CONF });
    const db = drizzleLite(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'pglite',
      async migrate() {
        const { migrate } = await import('drizzle-orm/pglite/migrator');
        await migrate(db as never, { migrationsFolder: MIGRATIONS });
      },
      async close() { await client.close(); releaseLock(); },
    };
  } catch (e) {
    releaseLock();
    throw e;
  }
}

function startStuckGuard(url: string, g: StuckGuard): () => Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, backoff: reconnectBackoff, idle_timeout: 60, connection: { application_name: APPLICATION_NAME } });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const poll = async () => {
    try {
      // In the select list, not the WHERE: a volatile call there runs only for the rows that passed every filter.
      const rows = await sql<{ pid: number; ended: boolean }[]>`
        select pid, pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = current_database() and application_name = current_setting('application_name') and pid <> pg_backend_pid()
          and ((state = 'active' and wait_event = 'ClientRead' and state_change < now() - make_interval(secs => ${g.stuckAfterMs / 1000}))
            or (state like 'idle in transaction%' and state_change < now() - make_interval(secs => ${(g.idleInTxAfterMs ?? IDLE_IN_TX_AFTER_MS) / 1000}))
            or (state = 'idle' and state_change < now() - make_interval(secs => ${(g.idleAfterMs ?? IDLE_AFTER_MS) / 1000})))`;
      const ended = rows.filter((r) => r.ended).map((r) => r.pid);
      if (ended.length) g.onEnded(ended);
    } catch (e) {
      g.onError(e);
    }
  };
  const tick = () => {
    running = poll().finally(() => { if (!stopped) timer = setTimeout(tick, g.everyMs); });
  };
  timer = setTimeout(tick, g.everyMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
    await sql.end({ timeout: 1 });
  };
}

/**
 * An embedded database is small: PostgreSQL's default shared_buffers (128 MB) would live in WebAssembly memory
 * on top of the module's own 128 MiB minimum. Measured idle RSS after migrations: 317 MB default, 187 MB with these.
 */
const PGLITE_CONF = ['shared_buffers = 8MB', 'work_mem = 1MB', 'maintenance_work_mem = 8MB', 'temp_buffers = 1MB', 'wal_buffers = 256kB'];

/**
 * initdb in a short-lived child process: PGlite keeps the initdb module and a dump of the new data folder
 * alive in the process that ran it (776 MB RSS after a first start in-process, against 317 MB after later ones).
 */
function initEmbedded(dir: string): void {
  const script = `import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create(process.argv[1]); await db.close();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dirname(fileURLToPath(import.meta.url)) });
}

/**
 * Seconds before a pool connection tries again after a failed connect (postgres.js `backoff`). The
 * failure count is shared by the whole pool, and the default (3^n / 100 s, up to 20 s) climbs past 10 s
 * within one routine restart, as every connection fails a few times while the server is down: queries
 * then waited 10-20 s on a server that was long back (measured, test/faults/pg-restart.test.ts). Capped
 * at 1 s with jitter, a node of 24 connections makes at most ~24 connects a second during an outage.
 */
export function reconnectBackoff(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.1 * 2 ** failures, 1);
}

/** A pid lock file: refuse when a live process holds it, take over a stale one. */
function takeLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => { try { unlinkSync(path); } catch { /* already gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) throw new DbLockedError(path, pid);
      unlinkSync(path);
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
