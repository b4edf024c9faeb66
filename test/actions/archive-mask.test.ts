import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskForArchive, PASSWORD_MASK, PASSWORD_ALPHABET } from '../../src/actions/index.js';

const ON = 'SMS archive is on. Password: {password}. Read your messages at {url}';

describe('maskForArchive', () => {
  it('masks the password and keeps the other placeholders\' values', () => {
    expect(maskForArchive(ON, 'SMS archive is on. Password: k3m9x7q2ab. Read your messages at https://x.example/archive'))
      .toBe(`SMS archive is on. Password: ${PASSWORD_MASK}. Read your messages at https://x.example/archive`);
  });

  it('leaves a reply whose template has no password as it is', () => {
    expect(maskForArchive('SMS archive is off.', 'SMS archive is off.')).toBe('SMS archive is off.');
  });

  it('stores the template, password masked, when the text does not fit it (edited meanwhile)', () => {
    expect(maskForArchive(ON, 'Your password: abcdefgh')).toBe(`SMS archive is on. Password: ${PASSWORD_MASK}. Read your messages at {url}`);
  });

  it('never keeps a generated password, whatever the surrounding values', () => {
    const pw = fc.stringMatching(new RegExp(`^[${PASSWORD_ALPHABET}]{8,16}$`));
    fc.assert(fc.property(pw, fc.string(), fc.string(), (password, from, url) => {
      const text = `MMS from ${from}: ${url} Password: ${password}. Kept for 3 days.`;
      const out = maskForArchive('MMS from {from}: {url} Password: {password}. Kept for {days} days.', text);
      expect(out).not.toContain(`Password: ${password}`);
      expect(out).toContain(PASSWORD_MASK);
    }));
  });
});
