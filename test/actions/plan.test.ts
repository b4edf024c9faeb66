import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localeOf, planAction, planNamedAction, type PlanInput } from '../../src/actions/plan.js';
import { replyRows } from '../../src/actions/reply-rows.js';

const input: PlanInput = { msisdn: '79161234567', shortCode: '232', text: 'on', link: 'smsc', channel: 'sms', corr: 'c1' };

describe('planAction: one plan for keyword MO, USSD steps and the dry run', () => {
  it("runs the matched route's action with its parsed params and no note", () => {
    const plan = planAction(input, { id: 'r1', action: 'archive.activate', params: {} });
    expect(plan.action.name).toBe('archive.activate');
    expect(plan.note).toBeNull();
    expect(plan.msg).toMatchObject({ msisdn: '79161234567', shortCode: '232', text: 'on', args: '', locale: 'en', channel: 'sms' });
  });

  it("answers with the short code's help when no route serves the MO, and says so", () => {
    const plan = planAction({ ...input, shortCode: '4444', text: 'HELLO' }, null);
    expect(plan.action.name).toBe('help');
    expect(plan.route).toBeNull();
    expect(plan.note).toContain('no route serves short code 4444');
  });

  it('answers with help when the route names an unknown action or params its action refuses', () => {
    expect(planAction(input, { id: 'r2', action: 'no.such.action', params: {} })).toMatchObject({ note: expect.stringContaining('route r2') });
    expect(planAction(input, { id: 'r2', action: 'no.such.action', params: {} }).action.name).toBe('help');
    expect(planAction(input, { id: 'r3', action: 'help', params: { template: 42 } }).action.name).toBe('help');
    expect(planAction(input, { id: 'r3', action: 'help', params: { template: 42 } }).note).toContain('route r3');
  });

  it('replies in Russian exactly when the MO has Cyrillic, unless the caller decides the language', () => {
    expect(planAction({ ...input, text: 'ПЕР' }, null).msg.locale).toBe('ru');
    expect(planAction({ ...input, text: '25', locale: 'ru' }, null).msg.locale).toBe('ru');
    fc.assert(fc.property(fc.string(), (s) => {
      expect(localeOf(s)).toBe(/[\u0400-\u04FF]/.test(s) ? 'ru' : 'en');
      expect(localeOf(s + 'я')).toBe('ru');
    }));
  });

  it('marks binary-capable links so an action may add a binary reply, and only those', () => {
    expect(planAction({ ...input, allowBinary: true }, null).msg.allowBinary).toBe(true);
    expect('allowBinary' in planAction(input, null).msg).toBe(false);
  });
});

describe('planNamedAction: actions the web starts by name', () => {
  const web: PlanInput = { ...input, text: '', channel: 'web', locale: 'ru' };

  it('plans the named action with its parsed params, no route and the caller\'s language', () => {
    const plan = planNamedAction(web, 'account.alert', { kind: 'locked', minutes: 15 });
    expect(plan).toMatchObject({ route: null, note: null, params: { kind: 'locked', minutes: 15 } });
    expect(plan.action.name).toBe('account.alert');
    expect(plan.msg.locale).toBe('ru');
  });

  it('throws on an unknown name or bad params instead of answering with help', () => {
    expect(() => planNamedAction(web, 'no.such.action', {})).toThrow(/no.such.action/);
    expect(() => planNamedAction(web, 'account.alert', { kind: 'sideways' })).toThrow(/account.alert/);
  });
});

describe('replyRows: replies → outbox rows for every executor', () => {
  const to = { idemKey: 'k1', link: 'smsc', source: '111', destination: '79161234567', corr: 'c9' };
  const render = () => 'Your password: {password}.';

  it('addresses every reply alike and masks the password in the archive text', () => {
    const rows = replyRows([{ template: 'account.password', text: 'Your password: abc123.' }], to, { archive: { render, locale: 'en' } });
    expect(rows).toEqual([{ ...to, body: 'Your password: abc123.', template: 'account.password', archiveText: expect.not.stringContaining('abc123') }]);
  });

  it('carries a binary reply\'s payload and the TLVs, and no archive text unless asked', () => {
    const [row] = replyRows([{ template: 'mms.settings', text: '[wap push]', binary: { kind: 'wap-push', payload: 'AAEC' } }], to, { tlvs: { ussdServiceOp: 17 } as never });
    expect(row).toMatchObject({ payload: 'AAEC', tlvs: { ussdServiceOp: 17 } });
    expect(row).not.toHaveProperty('archiveText');
  });
});
