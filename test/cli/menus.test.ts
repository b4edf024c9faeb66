import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw menu', () => {
  it('sets a menu from a YAML file, shows it as a tree, and removes it', async () => {
    const file = c.file('menu.yaml', [
      'title:',
      '  en: Account',
      '  ru: Личный кабинет',
      'items:',
      '  - key: "1"',
      '    label:',
      '      en: New password',
      '    action: account.password',
      '  - key: "2"',
      '    label:',
      '      en: SMS archive',
      '    menu:',
      '      title:',
      '        en: SMS archive',
      '      items:',
      '        - key: "1"',
      '          label:',
      '            en: "On"',
      '          action: archive.activate',
    ].join('\n'));
    const set = await c.scgw(['menu', 'set', '*111#', '--file', file]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(/^menu \*111# saved \(config version \d+\)/);
    const show = await c.scgw(['menu', 'show', '*111#']);
    expect(show.stdout).toBe('*111# Account / Личный кабинет\n  1. New password → account.password\n  2. SMS archive\n     1. On → archive.activate\n');
    expect((await c.scgw(['menu', 'list'])).stdout).toBe('*111#\tAccount\t2 items\n');
    expect((await c.scgw(['menu', 'rm', '*111#'])).code).toBe(0);
  });

  it('exits 5 naming the item when a menu item names an unknown action', async () => {
    const file = c.file('bad.json', JSON.stringify({ title: { en: 'X' }, items: [{ key: '1', label: { en: 'x' }, action: 'nope' }] }));
    const res = await c.scgw(['menu', 'set', '*222#', '--file', file]);
    expect(res.code).toBe(5);
    expect(res.stderr).toContain('menu *222# 1: unknown-action');
  });
});
