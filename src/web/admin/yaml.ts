/**
 * YAML for config export/import without a dependency: the block-style subset a config file needs.
 * toYaml writes it; parseYaml reads it back plus what people write by hand in the same style: comments,
 * `key: value`, `- item`, plain/single/double-quoted scalars, `[a, b]` lists of scalars, `[]` and `{}`.
 * Anchors, aliases, tags, block scalars (`|`, `>`), flow mappings and multi-line scalars are refused
 * with the line number, never guessed at: JSON (which is also valid YAML) always works.
 */

export class YamlError extends Error {
  constructor(message: string, readonly line: number) { super(`YAML line ${line}: ${message}`); this.name = 'YamlError'; }
}

// ── writing ──────────────────────────────────────────────────────────────────────────────────────
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

const isBlock = (v: unknown): v is object => v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
const empty = (v: unknown) => (Array.isArray(v) ? '[]' : '{}');

function lines(v: unknown, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (!isBlock(item)) return [`${indent}- ${item !== null && typeof item === 'object' ? empty(item) : scalar(item)}`];
      const inner = lines(item, indent + '  ');
      return [`${indent}- ${(inner[0] ?? '').trimStart()}`, ...inner.slice(1)];
    });
  }
  return Object.entries(v as Record<string, unknown>).flatMap(([k, val]) => {
    if (isBlock(val)) return [`${indent}${scalar(k)}:`, ...lines(val, indent + '  ')];
    return [`${indent}${scalar(k)}: ${val !== null && typeof val === 'object' ? empty(val) : scalar(val)}`];
  });
}

export function toYaml(value: unknown): string {
  if (isBlock(value)) return lines(value, '').join('\n') + '\n';
  return (value !== null && typeof value === 'object' ? empty(value) : scalar(value)) + '\n';
}

// ── reading ──────────────────────────────────────────────────────────────────────────────────────
interface Line { n: number; indent: number; text: string }

export function parseYaml(source: string): unknown {
  const all: Line[] = [];
  source.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new YamlError('tabs cannot indent YAML', i + 1);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || (all.length === 0 && text === '---')) return;
    if (text === '---' || text === '...') throw new YamlError('one document per file', i + 1);
    all.push({ n: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  if (all.length === 0) return null;
  const at = { i: 0 };
  const value = block(all, at, all[0]!.indent);
  if (at.i < all.length) throw new YamlError('unexpected indentation', all[at.i]!.n);
  return value;
}

function block(all: Line[], at: { i: number }, indent: number): unknown {
  const first = all[at.i]!;
  if (isItem(first.text)) return sequence(all, at, indent);
  if (findColon(first.text) === -1) {
    at.i++;
    return parseScalar(first.text, first.n);
  }
  return mapping(all, at, indent);
}

const isItem = (t: string) => t === '-' || t.startsWith('- ');

function sequence(all: Line[], at: { i: number }, indent: number): unknown[] {
  const out: unknown[] = [];
  while (at.i < all.length && all[at.i]!.indent === indent && isItem(all[at.i]!.text)) {
    const line = all[at.i]!;
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      at.i++;
      out.push(nested(all, at, indent, line.n));
      continue;
    }
    // "- key: value": the item is a mapping whose keys line up with `key`.
    const column = indent + (line.text.length - rest.length);
    all[at.i] = { n: line.n, indent: column, text: rest };
    out.push(isItem(rest) || findColon(rest) !== -1 ? block(all, at, column) : (at.i++, parseScalar(rest, line.n)));
  }
  return out;
}

function mapping(all: Line[], at: { i: number }, indent: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (at.i < all.length && all[at.i]!.indent === indent) {
    const line = all[at.i]!;
    if (isItem(line.text)) throw new YamlError('a list item where a key was expected', line.n);
    const colon = findColon(line.text);
    if (colon === -1) throw new YamlError('expected "key: value"', line.n);
    const key = String(parseScalar(line.text.slice(0, colon).trim(), line.n));
    if (Object.hasOwn(out, key)) throw new YamlError(`key "${key}" repeats`, line.n);
    const rest = line.text.slice(colon + 1).trim();
    at.i++;
    if (rest !== '') out[key] = parseScalar(rest, line.n);
    // A list may sit at the key's own indentation ("key:\n- a"), as YAML allows.
    else if (at.i < all.length && all[at.i]!.indent === indent && isItem(all[at.i]!.text)) out[key] = sequence(all, at, indent);
    else out[key] = nested(all, at, indent, line.n);
  }
  return out;
}

function nested(all: Line[], at: { i: number }, indent: number, n: number): unknown {
  const next = all[at.i];
  if (!next || next.indent <= indent) return null; // "key:" with nothing under it
  if (isItem(next.text) || findColon(next.text) !== -1) return block(all, at, next.indent);
  throw new YamlError(`a value continues on line ${next.n}: multi-line scalars are not supported, quote it on one line`, n);
}

/** Index of the ":" ending a key ("key: v" or "key:"), skipping quoted keys; -1 when the line is no pair. */
function findColon(t: string): number {
  let i = 0;
  if (t[0] === '"' || t[0] === "'") {
    i = closingQuote(t, 0);
    if (i === -1) return -1;
  }
  for (; i < t.length; i++) if (t[i] === ':' && (i + 1 === t.length || t[i + 1] === ' ')) return i;
  return -1;
}

function closingQuote(t: string, start: number): number {
  const q = t[start];
  for (let i = start + 1; i < t.length; i++) {
    if (q === '"' && t[i] === '\\') i++;
    else if (t[i] === q) {
      if (q === "'" && t[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function stripComment(raw: string): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:\-[,]/.test(raw[i - 1]!))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) return raw.slice(0, i);
  }
  return raw;
}

function parseScalar(t: string, n: number): unknown {
  if (t.startsWith('"')) {
    if (closingQuote(t, 0) !== t.length - 1) throw new YamlError('text after a closing quote (or an unclosed quote)', n);
    try { return JSON.parse(t); } catch { throw new YamlError('bad escape in a double-quoted string', n); }
  }
  if (t.startsWith("'")) {
    if (closingQuote(t, 0) !== t.length - 1) throw new YamlError('text after a closing quote (or an unclosed quote)', n);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t === '[]') return [];
  if (t === '{}') return {};
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new YamlError('a [list] must end on its line', n);
    return splitFlow(t.slice(1, -1), n).map((part) => {
      if (/^[[{]/.test(part)) throw new YamlError('nested flow collections are not supported', n);
      return parseScalar(part, n);
    });
  }
  if (t.startsWith('{')) throw new YamlError('flow mappings {…} are not supported: use block style, or quote a text that starts with {', n);
  if (/^[&*!|>%@`]/.test(t)) throw new YamlError(`"${t[0]}" starts an anchor, alias, tag or block scalar, which this reader does not support: quote the value`, n);
  if (t === '~' || t === 'null' || t === 'Null' || t === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(t)) return Number(t);
  return t;
}

function splitFlow(s: string, n: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"' || s[i] === "'") {
      const close = closingQuote(s, i);
      if (close === -1) throw new YamlError('unclosed quote in a [list]', n);
      i = close;
    } else if (s[i] === ',') {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || parts.length) parts.push(last);
  if (parts.some((p) => p === '')) throw new YamlError('empty entry in a [list]', n);
  return parts;
}
