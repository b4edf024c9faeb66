/**
 * The block list compiled once per config version (issue 11): a set of whole numbers and a set of prefixes, so a
 * check costs at most one set lookup per digit of the number (≤ 21), no query. Numbers compare without a leading '+'
 * and surrounding blanks; an alphanumeric source (a sender name) matches only an identical entry, never a prefix.
 */
export interface Blocklist {
  readonly size: number;
  /** The entry that blocks `msisdn` (the number itself, or the longest prefix), or null. */
  match(msisdn: string): string | null;
}

/** `patterns`: digits, with a trailing `*` for a prefix (web/admin/schemas.ts blockPattern). */
export function compileBlocklist(patterns: Iterable<string>): Blocklist {
  const numbers = new Set<string>();
  const prefixes = new Set<string>();
  let longest = 0;
  for (const p of patterns) {
    if (p.endsWith('*')) {
      const prefix = p.slice(0, -1);
      prefixes.add(prefix);
      longest = Math.max(longest, prefix.length);
    } else numbers.add(p);
  }
  return {
    size: numbers.size + prefixes.size,
    match(msisdn) {
      if (numbers.size + prefixes.size === 0) return null;
      const n = msisdn.trim().replace(/^\+/, '');
      if (numbers.has(n)) return n;
      if (!/^\d+$/.test(n)) return null;
      for (let len = Math.min(longest, n.length); len > 0; len--) {
        const prefix = n.slice(0, len);
        if (prefixes.has(prefix)) return `${prefix}*`;
      }
      return null;
    },
  };
}

export const EMPTY_BLOCKLIST: Blocklist = compileBlocklist([]);
