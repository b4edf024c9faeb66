/**
 * Run as a child process by test/faults/pg-restart.test.ts: the smallest postgres.js use that a database
 * restart killed in 3.4.9 (porsager/postgres #1154, #1208). A transaction sits between two statements
 * (as an action does while it hashes a password) when the server restarts; its next statement then goes
 * to a connection whose socket is gone. Unpatched, the deferred write throws from setImmediate and the
 * process dies with exit 1; patched, that statement rejects CONNECTION_CLOSED and the pool reconnects.
 * Prints one JSON line per step on stdout; the parent restarts the server after "in-transaction".
 */
import postgres from 'postgres';

const url = process.argv[2];
if (!url) throw new Error('usage: pg-restart-child.ts <database url>');
let closes = 0;
const sql = postgres(url, { max: 4, onnotice: () => {}, onclose: () => { closes++; }, connect_timeout: 10 });
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const settled = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message: string }) => e.code ?? e.message);

async function closed(): Promise<void> {
  while (closes === 0) await new Promise((r) => setTimeout(r, 10));
}

await sql`select 1`;
let staleSent!: (p: Promise<string>) => void;
const stale = new Promise<Promise<string>>((r) => { staleSent = r; });
const tx = settled(sql.begin(async (t) => {
  await t`select 1`;
  say({ step: 'in-transaction' });
  await closed();
  // The statement after the restart: the connection under this transaction is gone.
  const p = settled(t`select 2`);
  staleSent(p);
  await p;
}));
say({ step: 'transaction', outcome: await tx });
say({ step: 'stale statement', outcome: await (await stale) });
// The pool reconnects by itself: queries fail while the server is down (the caller retries, as BullMQ
// does) and are answered once it is back, on the same pool.
const deadline = Date.now() + 30_000;
let failures = 0;
for (;;) {
  try {
    const [row] = await sql`select 42 as n`;
    say({ step: 'after restart', n: row?.['n'], failures });
    break;
  } catch (e) {
    failures++;
    if (Date.now() > deadline) throw e;
    await new Promise((r) => setTimeout(r, 100));
  }
}
await sql.end({ timeout: 5 });
