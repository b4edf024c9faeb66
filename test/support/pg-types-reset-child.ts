/**
 * Run as a child process by test/faults/pg-restart.test.ts. postgres.js fetches array types on each new
 * connection (ReadyForQuery → fetchArrayTypes) and nothing awaited that promise: a connection reset
 * during the fetch, as when a restart catches a fresh connection, was an unhandled rejection and the
 * process exited 1. Deterministic here: the socket is reset right after the type query is written.
 * Patched, the waiting query rejects ECONNRESET and the next one is answered on a new connection.
 */
import { connect } from 'node:net';
import postgres from 'postgres';

const url = process.argv[2];
if (!url) throw new Error('usage: pg-types-reset-child.ts <database url>');
const { hostname, port } = new URL(url);
let resets = 0;
// `socket` (a connected-socket factory) is a postgres.js option its type declarations leave out.
const options = {
  max: 1, onnotice: () => {},
  socket: () => new Promise((resolve) => {
    const s = connect(Number(port), hostname, () => resolve(s));
    const write = s.write.bind(s) as (chunk: Uint8Array | string, ...rest: unknown[]) => boolean;
    s.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
      const ok = write(chunk, ...rest);
      if (resets === 0 && Buffer.from(chunk).includes('typcategory')) {
        resets++;
        setImmediate(() => s.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
      }
      return ok;
    }) as typeof s.write;
  }),
};
const sql = postgres(url, options as postgres.Options<Record<string, never>>);
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
say({ step: 'first query', outcome: await sql`select 1`.then(() => 'ok', (e: { code?: string }) => e.code) });
say({ step: 'second query', outcome: await sql`select 1`.then(() => 'ok', (e: { code?: string }) => e.code) });
await sql.end({ timeout: 5 });
