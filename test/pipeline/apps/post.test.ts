import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_REPLIES, parseReplies, signature } from '../../../src/pipeline/apps/post.js';
import { createAppGate } from '../../../src/pipeline/apps/gate.js';

describe('the app answer', () => {
  it('text/plain is one reply; JSON {reply} one, {replies} several; empty, 204-like and {} none', () => {
    expect(parseReplies('text/plain; charset=utf-8', ' PONG \n')).toEqual(['PONG']);
    expect(parseReplies('application/json', '{"reply":"hi"}')).toEqual(['hi']);
    expect(parseReplies('application/json; charset=utf-8', '{"replies":["a","b"]}')).toEqual(['a', 'b']);
    expect(parseReplies('', '')).toEqual([]);
    expect(parseReplies('application/json', '{}')).toEqual([]);
    expect(parseReplies('application/json', '{"replies":["a","  "]}')).toEqual(['a']);
  });

  it('refuses what it cannot read as replies, saying why', () => {
    expect(parseReplies('application/json', '{nope')).toMatch(/does not parse/);
    expect(parseReplies('application/json', '{"reply":5}')).toMatch(/neither/);
    expect(parseReplies('application/json', '{"replies":[1]}')).toMatch(/not a string/);
    expect(parseReplies('application/json', JSON.stringify({ replies: Array(MAX_REPLIES + 1).fill('x') }))).toMatch(/at most/);
    expect(parseReplies('application/json', JSON.stringify({ reply: 'x'.repeat(1601) }))).toMatch(/over 1600/);
    expect(parseReplies('text/html', '<p>hi</p>')).toMatch(/content type text\/html/);
  });

  it('signs timestamp + "." + body with HMAC-SHA256 (the README example)', () => {
    expect(signature('k', '1700000000', '{"a":1}')).toBe('sha256=' + createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex'));
  });
});

describe('the per-app gate', () => {
  it('caps POSTs in flight per app and tells the rest to wait', () => {
    const g = createAppGate({ failures: 3, openMs: 1000, now: () => 0, random: () => 0 });
    const a = g.enter('a', 2);
    const b = g.enter('a', 2);
    expect(a.ok && b.ok).toBe(true);
    expect(g.enter('a', 2)).toMatchObject({ ok: false, why: 'busy' });
    expect(g.enter('other', 2).ok).toBe(true);
    if (a.ok) a.release('success');
    expect(g.enter('a', 2).ok).toBe(true);
  });

  it('opens after consecutive failures, lets one probe through after the open time, closes on its success', () => {
    let t = 0;
    const opened: string[] = [];
    const g = createAppGate({ failures: 2, openMs: 1000, now: () => t, random: () => 0, onOpen: (a) => opened.push(a) });
    const fail = () => { const p = g.enter('a', 10); if (!p.ok) throw new Error('refused'); p.release('failure'); };
    fail();
    const ok = g.enter('a', 10);
    if (ok.ok) ok.release('success'); // a success in between resets the count
    fail();
    expect(g.state('a')).toBe('closed');
    fail();
    expect(g.state('a')).toBe('open');
    expect(opened).toEqual(['a']);
    expect(g.enter('a', 10)).toMatchObject({ ok: false, why: 'open', waitMs: 1000 });
    t = 1000;
    const probe = g.enter('a', 10);
    expect(probe.ok).toBe(true);
    expect(g.enter('a', 10)).toMatchObject({ ok: false, why: 'open' }); // one probe at a time
    if (probe.ok) probe.release('failure');
    expect(g.state('a')).toBe('open'); // the failed probe opens it again
    t = 2000;
    const probe2 = g.enter('a', 10);
    if (probe2.ok) probe2.release('success');
    expect(g.state('a')).toBe('closed');
    expect(g.enter('a', 10).ok).toBe(true);
  });
});
