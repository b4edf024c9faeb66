import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/db/schema/index.js';
import { startCli, type CliHarness } from '../cli/run.js';

// Issue 10, Low: secrets given to the CLI stay out of `ps` and shell history: --remote-password-file, and
// `-` for a password read from standard input. Token scopes and expiry from the CLI.
let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

const remotePassword = async (name: string) =>
  (await c.t.gw.db.db.select({ p: links.remotePassword }).from(links).where(eq(links.name, name)))[0]?.p;

describe('CLI secrets', () => {
  it('reads the remote password from --remote-password-file', async () => {
    const file = c.file('remote-pw', 'F1lePass\n');
    const res = await c.scgw(['link', 'add', 'opco', '--connect', '127.0.0.1:2775', '--remote-password-file', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(await remotePassword('opco')).toBe('F1lePass');
  }, 60_000);

  it('reads --remote-password - and --password - from standard input', async () => {
    const res = await c.scgw(['link', 'update', 'opco', '--remote-password', '-'], {}, 'St1nPass\n');
    expect(res.code, res.stderr).toBe(0);
    expect(await remotePassword('opco')).toBe('St1nPass');
    const add = await c.scgw(['link', 'add', 'peer', '--password', '-'], {}, 'pw123\n');
    expect(add.code, add.stderr).toBe(0);
  }, 60_000);

  it('refuses a secret from standard input twice in one command', async () => {
    const res = await c.scgw(['link', 'update', 'opco', '--password', '-', '--remote-password', '-'], {}, 'a\nb\n');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/standard input/);
  }, 60_000);

  it('creates a scoped token with an expiry', async () => {
    const res = await c.scgw(['--json', 'token', 'create', 'ci', '--scope', 'read', '--scope', 'write', '--expires', '2099-01-01T00:00:00Z']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ name: 'ci', scopes: ['read', 'write'], expiresAt: '2099-01-01T00:00:00Z' });
  }, 60_000);
});
