import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw dry-run', () => {
  it('says which route matched and why, the action and the reply, without acting', async () => {
    const res = await c.scgw(['dry-run', '--from', '79161234567', '--to', '232', '--text', 'пер']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('normalised "ПЕР"; compared as');
    expect(res.stdout).toContain('route 232-on (exact, priority 100)');
    expect(res.stdout).toContain('  ✓ 232-on (exact, 100): chosen: text form "PER" equals keyword "PER"');
    expect(res.stdout).toContain('action archive.activate (not run: rolled back)');
    expect(res.stdout).toContain('reply [archive.activate, ru]: SMS-архив включён. Пароль: ********.');
    const json = JSON.parse((await c.scgw(['--json', 'dry-run', '--from', '79161234567', '--to', '111', '--text', '25'])).stdout);
    expect(json).toMatchObject({ route: { id: '111-password' }, replies: [{ text: 'Your password: ********. Change it after your first login.' }] });
    expect((await c.scgw(['dry-run', '--from', '79161234567', '--to', '232'])).code).toBe(2);
  });
});
