/**
 * A PostgreSQL 15 of the test's own, for tests that restart or kill the database: the shared server on
 * 5432 is never touched. initdb + pg_ctl from Debian's packages, a temp dir, a free loopback port, trust
 * auth and a superuser named `root`. initdb refuses to run as root, so as root every command runs as the
 * `postgres` user (runuser) on a temp dir that user owns. Stopped by pg_ctl, else by the postmaster's PID.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env['TEST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PgServer {
  port: number;
  /** A URL of the server's `postgres` database (or `db`), as the superuser `root`. */
  url(db?: string): string;
  /** `pg_ctl restart -m fast`: every backend is terminated, as in a routine restart or failover. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPgServer(): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) => (asRoot
    ? run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { cwd: dir })
    : run(join(BIN, tool), args, { cwd: dir }));
  const port = await freePort();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'root', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // fsync off: a test database need not survive a power cut, and restarts stay quick on a busy machine.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  await pg('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    port,
    url: (db = 'postgres') => `postgres://root@127.0.0.1:${port}/${db}`,
    async restart() {
      // -l again: without it the new postmaster inherits pg_ctl's stdout, and the pipe never closes.
      await pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-m', 'fast', '-w', '-t', '60', 'restart']);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      } catch {
        killPostmaster(data);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Last resort: the postmaster's PID is the first line of postmaster.pid. */
function killPostmaster(data: string) {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch { /* not running */ }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}
