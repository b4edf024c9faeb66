/** Issue 10 (Low): a template with adjacent placeholders ({password}{url}) must not archive the password in clear. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskForArchive, PASSWORD_ALPHABET, PASSWORD_MASK } from '../../src/actions/index.js';

const password = fc.stringMatching(new RegExp(`^[${PASSWORD_ALPHABET}]{8,16}$`));

describe('archive masking with adjacent placeholders', () => {
  it('masks {password}{url}: the password never reaches the archive', () => {
    const out = maskForArchive('Password: {password}{url}', 'Password: 7hq4kz2m9chttp://localhost:8080/archive');
    expect(out).not.toContain('7hq4kz2m9c');
    expect(out).toContain(PASSWORD_MASK);
  });

  it('masks {url}{password} and {password}{password}', () => {
    expect(maskForArchive('{url}{password}', 'http://x/7hq4kz2m9c')).not.toContain('7hq4kz2m9c');
    expect(maskForArchive('P {password}{password}.', 'P 7hq4kz2m9c7hq4kz2m9c.')).not.toContain('7hq4kz2m9c');
  });

  it('never keeps the password, whatever the template and the other values (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('{password}', '{url}', '{from}', '{days}'),
      fc.string({ maxLength: 6 }).filter((s) => !/[{}]/.test(s)),
    );
    fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 7 }), password, fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }),
      (pieces, pw, url, from) => {
        if (!pieces.includes('{password}')) pieces.push('{password}');
        const template = pieces.join('');
        const text = pieces.map((p) => (p === '{password}' ? pw : p === '{url}' ? url : p === '{from}' ? from : p === '{days}' ? '3' : p)).join('');
        const out = maskForArchive(template, text);
        // The password may occur by chance in the literal text or other values; count occurrences against them.
        const elsewhere = pieces.filter((p) => p !== '{password}').map((p) => (p === '{url}' ? url : p === '{from}' ? from : p === '{days}' ? '3' : p)).join('\u0000');
        if (!elsewhere.includes(pw) && !template.includes(pw)) expect(out).not.toContain(pw);
      }), { numRuns: 2000 });
  });

  it('keeps the values it can separate', () => {
    expect(maskForArchive('Password: {password}. Read at {url}', 'Password: 7hq4kz2m9c. Read at http://x/a'))
      .toBe(`Password: ${PASSWORD_MASK}. Read at http://x/a`);
  });
});
