import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw template', () => {
  it('sets a help text from an argument and shows it back', async () => {
    const set = await c.scgw(['template', 'set', 'help.232', 'ru', 'Архив 232: ПЕР — включить, СТОП — выключить.']);
    expect(set.stdout).toMatch(/^template help.232\/ru saved \(config version \d+\)/);
    expect((await c.scgw(['template', 'show', 'help.232', 'ru'])).stdout).toBe('Архив 232: ПЕР — включить, СТОП — выключить.\n');
  });

  it('sets a template from a file and refuses an unknown placeholder with exit 5', async () => {
    const ok = await c.scgw(['template', 'set', 'account.password', 'en', '--file', c.file('pw.txt', 'New password: {password}\n')]);
    expect(ok.code).toBe(0);
    const bad = await c.scgw(['template', 'set', 'account.password', 'en', 'New password: {pass}']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('template account.password/en: unknown-placeholder: {pass} is not filled in by any action; allowed: {password}');
  });

  it('lists and removes templates', async () => {
    await c.scgw(['template', 'set', 'help.555', 'en', 'Nothing here yet.']);
    const list = await c.scgw(['template', 'list', '--key', 'help.555']);
    expect(list.stdout).toBe('help.555\ten\tNothing here yet.\n');
    expect((await c.scgw(['template', 'rm', 'help.555', 'en'])).stdout).toMatch(/deleted/);
    expect((await c.scgw(['template', 'list', '--key', 'help.555'])).stdout).toBe('no templates\n');
  });
});
