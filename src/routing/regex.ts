/**
 * Regex routes are operator input run on every MO, on the event loop that also serves SMPP and HTTP.
 * They run on RE2 semantics (re2js, a pure-JS port of RE2/J): time linear in the text, whatever the
 * pattern, so `.*.*.*.*.*.*=` cannot stall the gateway as V8's backtracking engine did (issue 10).
 * The text matched is capped at MAX_MATCHED_TEXT characters, so one route's cost per MO is bounded.
 * RE2 has no backreferences or lookarounds; findUnsafeConstruct names them (a clearer message than a
 * syntax error) and still refuses nested quantifiers and repeated alternations, which need no
 * backtracking here but were refused before and keep patterns simple.
 */
import { RE2JS } from 're2js';

/** A compiled route pattern; flags as before: case-insensitive, Unicode (RE2 is Unicode-aware always). */
export interface RouteRegex {
  readonly engine: 're2';
  readonly source: string;
  readonly flags: typeof ROUTE_REGEX_FLAGS;
  test(text: string): boolean;
  /** The named groups that took part in the match (others left out), or null when it does not match. */
  exec(text: string): Record<string, string> | null;
}

export type RegexVerdict =
  | { ok: true; regex: RouteRegex }
  | { ok: false; code: 'bad-regex' | 'unsafe-regex'; message: string };

/** Flags every regex route gets: `u` for Unicode text, `i` so operators may write lower case. */
export const ROUTE_REGEX_FLAGS = 'iu' as const;

/**
 * Characters of the normalised text a regex route sees: a concatenated SMS of 13 segments (2,000 GSM-7
 * characters) and any USSD string fit; text beyond is not matched.
 */
export const MAX_MATCHED_TEXT = 2000;

export function compileRouteRegex(pattern: string): RegexVerdict {
  // Scan first: `\1` with no group is also a syntax error, but "backreference" tells the operator more.
  const unsafe = findUnsafeConstruct(pattern);
  if (unsafe !== null) return { ok: false, code: 'unsafe-regex', message: unsafe };
  try {
    // Operators write JavaScript syntax (flags iu): what it rejects (`a{2`) stays an error, though RE2
    // would take it as a literal. The RegExp is never run.
    new RegExp(pattern, ROUTE_REGEX_FLAGS);
    return { ok: true, regex: routeRegex(pattern, RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE)) };
  } catch (e) {
    return { ok: false, code: 'bad-regex', message: e instanceof Error ? e.message : String(e) };
  }
}

function routeRegex(source: string, re: RE2JS): RouteRegex {
  const names = Object.keys(re.namedGroups());
  return {
    engine: 're2',
    source,
    flags: ROUTE_REGEX_FLAGS,
    test: (text) => re.test(capped(text)),
    exec(text) {
      const m = re.matcher(capped(text));
      if (!m.find()) return null;
      const captures: Record<string, string> = {};
      // A group in a branch that did not take part is null: leave it out rather than report ''.
      for (const name of names) {
        const value = m.group(name);
        if (value !== null) captures[name] = value;
      }
      return captures;
    },
  };
}

/** The first MAX_MATCHED_TEXT characters, never ending in half a surrogate pair. */
export function capped(text: string): string {
  if (text.length <= MAX_MATCHED_TEXT) return text;
  const last = text.charCodeAt(MAX_MATCHED_TEXT - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_MATCHED_TEXT - 1 : MAX_MATCHED_TEXT);
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
