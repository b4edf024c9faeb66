import { describe, expect, it } from 'vitest';
import { compileBlocklist } from '../../src/routing/blocklist.js';

describe('compileBlocklist', () => {
  const list = compileBlocklist(['79161234567', '7926*', '792612*', 'SPAMCO']);

  it('matches a whole number, with or without a leading + and blanks', () => {
    expect(list.match('79161234567')).toBe('79161234567');
    expect(list.match(' +79161234567 ')).toBe('79161234567');
    expect(list.match('79161234568')).toBeNull();
  });

  it('matches the longest prefix, and only digits against prefixes', () => {
    expect(list.match('79261234567')).toBe('792612*');
    expect(list.match('79269999999')).toBe('7926*');
    expect(list.match('7926')).toBe('7926*');
    expect(list.match('792')).toBeNull();
    expect(list.match('SPAMCO')).toBe('SPAMCO');
    expect(compileBlocklist(['7*']).match('7926abc')).toBeNull();
  });

  it('an empty list matches nothing', () => {
    expect(compileBlocklist([]).match('79161234567')).toBeNull();
    expect(compileBlocklist([]).size).toBe(0);
    expect(list.size).toBe(4);
  });
});
