import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink('simcli', 'clipw', { ratePerSecond: 10_000, window: 20 });
});
afterAll(async () => {
  await t?.stop();
});

interface Run { code: number; stdout: string; stderr: string }

/** `node bin/scgw.mjs ...` as a child process, the way a person runs it. */
function scgw(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete childEnv['SCGW_SIM_SYSTEM_ID'];
  delete childEnv['SCGW_SIM_PASSWORD'];
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/scgw.mjs', ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const peer = () => ['--port', String(t.gw.smppPort), '--system-id', 'simcli', '--password', 'clipw'];

describe('scgw sim send', () => {
  it('prints the password reply as the subscriber reads it and exits 0', async () => {
    const r = await scgw(['sim', 'send', ...peer(), '--from', '79161234567', '--to', '232', '--text', 'ON']);
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = r.stdout.split('\n');
    expect(first).toMatch(/^232 → 79161234567: SMS archive is on\. Password: [a-z0-9]{8,}\. Read your messages at \S+$/);
    expect(second).toMatch(/^ {2}1 part, GSM-7 \(data_coding 0\), \d+ ms after the MO$/);
  });

  it('takes the credentials from SCGW_SIM_SYSTEM_ID and SCGW_SIM_PASSWORD, and sends UCS-2', async () => {
    const r = await scgw(['sim', 'send', '--port', String(t.gw.smppPort), '--from', '79161234568', '--to', '232', '--text', 'пер', '--ucs2'],
      { SCGW_SIM_SYSTEM_ID: 'simcli', SCGW_SIM_PASSWORD: 'clipw' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^232 → 79161234568: SMS-архив включён\. Пароль: [a-z0-9]{8,}\./);
    expect(r.stdout).toContain('UCS-2');
  });

  it('exits non-zero and names ESME_RBINDFAIL when the password is wrong', async () => {
    const r = await scgw(['sim', 'send', '--port', String(t.gw.smppPort), '--system-id', 'simcli', '--password', 'nope', '--from', '79161234569', '--to', '232', '--text', 'ON']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ESME_RBINDFAIL');
    expect(r.stdout).toBe('');
  });

  it('exits non-zero and names the status when the MO is refused', async () => {
    const r = await scgw(['sim', 'send', ...peer(), '--from', '79161234570', '--to', '9999', '--text', 'ON']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('ESME_RINVDSTADR');
  });

  it('says how to give credentials when there are none', async () => {
    const r = await scgw(['sim', 'send', '--port', String(t.gw.smppPort), '--from', '79161234571', '--to', '232', '--text', 'ON']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--system-id and --password/);
  });
});

describe('scgw sim load', () => {
  it('200 MO: every subscriber gets exactly one reply; --json prints the figures', async () => {
    const r = await scgw(['sim', 'load', ...peer(), '--count', '200', '--window', '20', '--text', 'hello', '--msisdn-base', '79070000000', '--expect', '^SMS archive, 232: ', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ sent: 200, acked: 200, replied: 200, lost: 0, duplicates: 0, textMismatch: 0, endReason: 'complete' });
  });

  it('prints a readable summary (no progress bar when stderr is not a terminal)', async () => {
    const r = await scgw(['sim', 'load', ...peer(), '--count', '50', '--text', 'hello', '--msisdn-base', '79080000000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lost 0, duplicated 0/);
    expect(r.stdout).toMatch(/replies\/s steady/);
    expect(r.stderr).toBe('');
  });
});
