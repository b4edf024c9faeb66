import { describe, expect, it } from 'vitest';
import { continueUssd, parseUssdString, renderScreen, startUssd, type UssdStep } from '../../src/actions/ussd-menu.js';
import { fitsUssdScreen, fitUssdScreen, layoutScreen } from '../../src/actions/ussd-screen.js';
import type { MenuNode } from '../../src/db/schema/config.js';

const MENU: MenuNode = {
  title: { en: 'Services 111', ru: 'Услуги 111' },
  items: [
    { key: '1', label: { en: 'New account password', ru: 'Новый пароль' }, action: 'account.password', params: {} },
    {
      key: '2', label: { en: 'SMS archive' }, menu: {
        title: { en: 'SMS archive' },
        items: [
          { key: '1', label: { en: 'Turn on' }, action: 'archive.activate' },
          { key: '2', label: { en: 'Turn off' }, action: 'archive.deactivate' },
        ],
      },
    },
  ],
};
const TOP = { code: '*111#', path: [] as string[] };

function screenOf(step: UssdStep) {
  if (step.kind !== 'screen') throw new Error(`expected a screen, got ${step.kind}`);
  return step;
}

describe('parseUssdString', () => {
  it('reads the service code and the arguments of a USSD string', () => {
    expect(parseUssdString('*111#')).toEqual({ code: '*111#', serviceCode: '111', args: [] });
    expect(parseUssdString(' *111*25# ')).toEqual({ code: '*111#', serviceCode: '111', args: ['25'] });
    expect(parseUssdString('*111*2*1#')).toEqual({ code: '*111#', serviceCode: '111', args: ['2', '1'] });
  });
  it('refuses what is not a USSD string', () => {
    for (const s of ['111', '*111', '#111#', '*11a#', '*111**#', '']) expect(parseUssdString(s)).toBeNull();
  });
});

describe('startUssd', () => {
  it('shows the numbered top menu for the bare code, without a back line', () => {
    const s = screenOf(startUssd(MENU, parseUssdString('*111#')!, 'en'));
    expect(s.state).toEqual(TOP);
    expect(s.text).toBe('Services 111\n1. New account password\n2. SMS archive');
  });
  it('dials straight through the menu: an action item runs, a submenu item shows the submenu', () => {
    expect(startUssd(MENU, parseUssdString('*111*1#')!, 'en')).toEqual({ kind: 'action', action: 'account.password', params: {} });
    expect(startUssd(MENU, parseUssdString('*111*2*2#')!, 'en')).toEqual({ kind: 'action', action: 'archive.deactivate', params: {} });
    const sub = screenOf(startUssd(MENU, parseUssdString('*111*2#')!, 'en'));
    expect(sub.state.path).toEqual(['2']);
    expect(sub.text).toBe('SMS archive\n1. Turn on\n2. Turn off\n0. Back');
  });
  it('hands a dial that leaves the menu to the short code routes, with the menu as fallback', () => {
    const step = startUssd(MENU, parseUssdString('*111*25#')!, 'en');
    expect(step).toMatchObject({ kind: 'route', shortCode: '111', text: '25' });
    expect(step.kind === 'route' && step.fallback).toMatchObject({ kind: 'screen', text: expect.stringMatching(/^Invalid choice\.\nServices 111\n/) });
    expect(startUssd(null, parseUssdString('*232*1#')!, 'en')).toEqual({ kind: 'route', shortCode: '232', text: '1', fallback: null });
  });
  it('speaks Russian when asked, falling back to English labels', () => {
    expect(screenOf(startUssd(MENU, parseUssdString('*111#')!, 'ru')).text).toBe('Услуги 111\n1. Новый пароль\n2. SMS archive');
  });
});

describe('continueUssd', () => {
  it('runs the chosen action item', () => {
    expect(continueUssd(MENU, TOP, '1', 'en')).toEqual({ kind: 'action', action: 'account.password', params: {} });
    expect(continueUssd(MENU, { code: '*111#', path: ['2'] }, ' 1 ', 'en')).toEqual({ kind: 'action', action: 'archive.activate', params: {} });
  });
  it('opens a submenu and goes back with 0', () => {
    const sub = screenOf(continueUssd(MENU, TOP, '2', 'en'));
    expect(sub.state.path).toEqual(['2']);
    const back = screenOf(continueUssd(MENU, sub.state, '0', 'en'));
    expect(back.state).toEqual(TOP);
    expect(back.text).toBe('Services 111\n1. New account password\n2. SMS archive');
  });
  it('shows the same screen with an error line on unknown input (0 at the top included)', () => {
    for (const input of ['7', 'abc', '', '0']) {
      const s = screenOf(continueUssd(MENU, TOP, input, 'en'));
      expect(s.state).toEqual(TOP);
      expect(s.text).toBe('Invalid choice.\nServices 111\n1. New account password\n2. SMS archive');
    }
    expect(screenOf(continueUssd(MENU, { code: '*111#', path: ['2'] }, '9', 'en')).text).toMatch(/^Invalid choice\.\nSMS archive\n/);
  });
  it('closes an expired session and restarts at the top when the menu changed under it', () => {
    expect(continueUssd(MENU, null, '1', 'en')).toMatchObject({ kind: 'end', text: expect.stringMatching(/expired/) });
    const s = screenOf(continueUssd(MENU, { code: '*111#', path: ['5'] }, '1', 'en'));
    expect(s.state).toEqual(TOP);
  });
});

describe('USSD screens', () => {
  it('keeps every screen within one USSD page, cutting labels before anything else', () => {
    const long: MenuNode = {
      title: { en: 'A menu with long labels' },
      items: Array.from({ length: 9 }, (_, i) => ({ key: String(i + 1), label: { en: `Item number ${i + 1} with a rather long description` }, action: 'help' })),
    };
    const text = renderScreen(long, 1, 'en', { en: 'Invalid choice.' });
    expect(fitsUssdScreen(text)).toBe(true);
    expect(text.length).toBeLessThanOrEqual(182);
    const lines = text.split('\n');
    expect(lines).toHaveLength(12); // error, title, 9 items, back: every item keeps its number
    expect(lines.slice(2, 11).map((l) => l.split('.')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(lines.at(-1)).toBe('0. Back');
  });
  it('counts 80 characters for a UCS-2 screen and 182 septets for GSM-7', () => {
    expect(fitsUssdScreen('a'.repeat(182))).toBe(true);
    expect(fitsUssdScreen('a'.repeat(183))).toBe(false);
    expect(fitsUssdScreen('€'.repeat(91))).toBe(true); // an ESC pair counts 2 septets
    expect(fitsUssdScreen('€'.repeat(92))).toBe(false);
    expect(fitsUssdScreen('я'.repeat(80))).toBe(true);
    expect(fitsUssdScreen('я'.repeat(81))).toBe(false);
  });
  it('cuts an overlong reply to one screen with a GSM-7 mark on GSM-7 text and … on UCS-2 text', () => {
    const g = fitUssdScreen('x'.repeat(300));
    expect(g).toBe('x'.repeat(179) + '...');
    const u = fitUssdScreen('щ'.repeat(300));
    expect(u).toBe('щ'.repeat(79) + '…');
    expect(fitUssdScreen('short')).toBe('short');
    const lay = layoutScreen(['T'], [{ key: '1', label: 'x'.repeat(400) }], []);
    expect(fitsUssdScreen(lay)).toBe(true);
    expect(lay.startsWith('T\n1. xxx')).toBe(true);
  });
});
