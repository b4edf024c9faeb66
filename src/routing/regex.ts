/**
 * Regex routes are operator input run on every MO, so a pattern must be safe by construction: no
 * catastrophic backtracking however the subscriber's text looks. Rather than time a match (no clock
 * here), we reject the constructs that make V8's backtracking engine super-linear:
 * - backreferences (`\1`, `\k<name>`) and lookarounds (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - a repeated group (max repeat > 1) that contains any quantifier: star height > 1, as `(a+)+`;
 * - a repeated group that contains `|`: overlapping branches, as `(a|a)*`. Telling overlapping
 *   branches from disjoint ones is not worth the code, so every such group is refused.
 * Known limit: sibling quantifiers over overlapping sets (`.*.*.*X`) are polynomial, not exponential,
 * and are allowed; an MO is at most a few thousand characters after reassembly.
 */

export type RegexVerdict =
  | { ok: true; regex: RegExp }
  | { ok: false; code: 'bad-regex' | 'unsafe-regex'; message: string };

/** Flags every regex route gets: `u` for Unicode text, `i` so operators may write lower case. */
export const ROUTE_REGEX_FLAGS = 'iu';

export function compileRouteRegex(pattern: string): RegexVerdict {
  // Scan first: `\1` with no group is also a syntax error, but "backreference" tells the operator more.
  const unsafe = findUnsafeConstruct(pattern);
  if (unsafe !== null) return { ok: false, code: 'unsafe-regex', message: unsafe };
  try {
    return { ok: true, regex: new RegExp(pattern, ROUTE_REGEX_FLAGS) };
  } catch (e) {
    return { ok: false, code: 'bad-regex', message: e instanceof Error ? e.message : String(e) };
  }
}

interface Group {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** Returns why the pattern is unsafe, or null. Never throws, even on a malformed pattern. */
export function findUnsafeConstruct(pattern: string): string | null {
  const stack: Group[] = [{ hasQuantifier: false, hasAlternation: false }];
  // The group a following quantifier would apply to (null after a plain atom or a quantifier).
  let lastGroup: Group | null = null;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    const current = stack[stack.length - 1] as Group;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next >= '1' && next <= '9') return `backreference \\${next} at ${i}`;
      if (next === 'k' && pattern[i + 2] === '<') return `named backreference at ${i}`;
      i += 2;
      // \p{…} and \u{…} carry braces that are not a quantifier.
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[i] === '{') i = skipPast(pattern, i, '}');
      lastGroup = null;
    } else if (c === '[') {
      i = skipClass(pattern, i + 1);
      lastGroup = null;
    } else if (c === '(') {
      const lookaround = lookaroundAt(pattern, i);
      if (lookaround !== null) return `${lookaround} at ${i}`;
      stack.push({ hasQuantifier: false, hasAlternation: false });
      i = groupBodyStart(pattern, i);
      lastGroup = null;
    } else if (c === ')') {
      const closed = stack.length > 1 ? (stack.pop() as Group) : current;
      const parent = stack[stack.length - 1] as Group;
      // What a group contains counts for every group around it.
      parent.hasQuantifier ||= closed.hasQuantifier;
      parent.hasAlternation ||= closed.hasAlternation;
      lastGroup = closed;
      i++;
    } else if (c === '|') {
      current.hasAlternation = true;
      lastGroup = null;
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      const quantifier = readQuantifier(pattern, i);
      if (lastGroup !== null && quantifier.repeats) {
        if (lastGroup.hasQuantifier) return `nested quantifier (a repeated group containing a quantifier) at ${i}`;
        if (lastGroup.hasAlternation) return `repeated group containing | at ${i}`;
      }
      current.hasQuantifier = true;
      lastGroup = null;
      i = quantifier.end;
      if (pattern[i] === '?') i++; // lazy modifier, not another quantifier
    } else {
      lastGroup = null;
      i++;
    }
  }
  return null;
}

function lookaroundAt(pattern: string, i: number): string | null {
  if (pattern[i + 1] !== '?') return null;
  const a = pattern[i + 2];
  const b = pattern[i + 3];
  if (a === '=' || a === '!') return 'lookahead';
  if (a === '<' && (b === '=' || b === '!')) return 'lookbehind';
  return null;
}

// `(?<name>` and `(?:` (or a modifier group such as `(?i:`, where supported) open a group whose
// body starts after the header; the header's `?` is not a quantifier.
function groupBodyStart(pattern: string, i: number): number {
  if (pattern[i + 1] !== '?') return i + 1;
  return skipPast(pattern, i + 2, pattern[i + 2] === '<' ? '>' : ':');
}

function readQuantifier(pattern: string, i: number): { repeats: boolean; end: number } {
  const c = pattern[i];
  if (c === '?') return { repeats: false, end: i + 1 };
  if (c !== '{') return { repeats: true, end: i + 1 };
  const close = pattern.indexOf('}', i);
  if (close === -1) return { repeats: true, end: pattern.length };
  const [minText = '', maxText] = pattern.slice(i + 1, close).split(',');
  const max = maxText === undefined ? Number(minText) : maxText === '' ? Infinity : Number(maxText);
  // Unparseable bounds count as repeating: the RegExp constructor rejects them anyway.
  return { repeats: !(max <= 1), end: close + 1 };
}

function skipClass(pattern: string, i: number): number {
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

function skipPast(pattern: string, i: number, close: string): number {
  const at = pattern.indexOf(close, i);
  return at === -1 ? pattern.length : at + 1;
}

const LITERAL_CHAR = /^[A-Za-z0-9 ]$/;

/**
 * The literal every match must start with: for `^PASS (\d+)` it is "PASS ". Two regexes whose
 * literals are not prefixes of one another can never match the same text, so they cannot tie.
 * ASCII letters, digits and space only, because `iu` case folding is simple for those alone.
 */
export function anchoredLiteral(pattern: string): string {
  if (!pattern.startsWith('^') || pattern.includes('|')) return '';
  let literal = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (!LITERAL_CHAR.test(c)) break;
    const next = pattern[i + 1];
    // A quantified character is not fixed text (`AB?` only promises "A").
    if (next === '*' || next === '+' || next === '?' || next === '{') break;
    literal += c.toUpperCase();
  }
  return literal;
}
