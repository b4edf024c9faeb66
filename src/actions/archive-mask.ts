/**
 * What the SMS archive may keep of a reply: its text with every `{password}` value masked. The reply's
 * template says where the password sits: its literal parts are matched against the sent text, so the other
 * placeholders keep their values (the link, the sender). If the text does not fit the template (an operator
 * edited it in between), the template itself is stored with the password masked: never the clear text.
 */
export const PASSWORD_MASK = '••••••••';

const PLACEHOLDER = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;
const SECRET = 'password';

export function maskForArchive(templateBody: string, text: string): string {
  const names = [...templateBody.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (!names.includes(SECRET)) return text;
  const literals = templateBody.split(PLACEHOLDER).filter((_, i) => i % 2 === 0);
  const pattern = literals.map(escapeRegex).join('([\\s\\S]*?)');
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (!m) return templateBody.replaceAll(`{${SECRET}}`, PASSWORD_MASK);
  return literals.map((lit, i) => lit + (i < names.length ? (names[i] === SECRET ? PASSWORD_MASK : m[i + 1]!) : '')).join('');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
