/**
 * What the SMS archive may keep of a reply: its text with every `{password}` value masked. The reply's
 * template says where the password sits: its literal parts are matched against the sent text, so the other
 * placeholders keep their values (the link, the sender). If the text does not fit the template (an operator
 * edited it in between), the template itself is stored with the password masked: never the clear text.
 *
 * Placeholders with nothing between them (`{password}{url}`) cannot be told apart in the text, so such a run
 * is stored as its names with the password masked (`••••••••{url}`). A lone password matches only the
 * password alphabet, so a literal that also occurs in another value cannot shift it into a kept group.
 */
import { PASSWORD_ALPHABET } from './passwords.js';

export const PASSWORD_MASK = '••••••••';

const PLACEHOLDER = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;
const SECRET = 'password';

/** A template as literals and runs of adjacent placeholders: literal, run, literal, run, …, literal. */
function parse(templateBody: string): { literals: string[]; runs: string[][] } {
  const split = templateBody.split(PLACEHOLDER);
  const literals = [split[0]!];
  const runs: string[][] = [];
  for (let i = 1; i < split.length; i += 2) {
    const name = split[i]!;
    const after = split[i + 1]!;
    const prev = runs.at(-1);
    if (prev && literals.at(-1) === '') prev.push(name);
    else runs.push([name]);
    literals[runs.length] = after;
  }
  return { literals, runs };
}

export function maskForArchive(templateBody: string, text: string): string {
  const { literals, runs } = parse(templateBody);
  if (!runs.some((r) => r.includes(SECRET))) return text;
  const masked = (run: string[]) => run.map((n) => (n === SECRET ? PASSWORD_MASK : `{${n}}`)).join('');
  // Kept values match as little as they can and runs with the password as much as they can: whatever is
  // ambiguous lands in the masked part.
  const groups = runs.map((r) => (!r.includes(SECRET) ? '([\\s\\S]*?)' : r.length === 1 ? `([${PASSWORD_ALPHABET}]+)` : '([\\s\\S]*)'));
  const pattern = literals.map((lit, i) => escapeRegex(lit) + (groups[i] ?? '')).join('');
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (!m) return templateBody.replaceAll(`{${SECRET}}`, PASSWORD_MASK);
  return literals.map((lit, i) => {
    const run = runs[i];
    if (!run) return lit;
    return lit + (run.includes(SECRET) ? masked(run) : m[i + 1]!);
  }).join('');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
