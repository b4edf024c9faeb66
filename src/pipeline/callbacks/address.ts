/**
 * Where a send API callback may go (issue 11 item 3). An app names the URL, so a stranger with a send token could
 * point the gateway at the operator's own network (SSRF): unless CALLBACK_ALLOW_PRIVATE, loopback, private,
 * link-local, CGNAT and unique-local addresses are refused, when the URL is given and again when each POST
 * resolves the name (a name that later resolves inward is caught then). http and https only; no credentials.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const V4_PRIVATE: Array<[number, number]> = [
  [0x00000000, 8], [0x0a000000, 8], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12],
  [0xc0000000, 24], [0xc0a80000, 16], [0xc6120000, 15], [0xe0000000, 4], [0xf0000000, 4],
];

function v4(addr: string): number {
  return addr.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

/** Loopback, private, link-local, CGNAT, multicast or reserved: not a place an app's callback lives. */
export function isPrivateAddress(addr: string): boolean {
  const a = addr.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (isIP(a) === 4) {
    const n = v4(a);
    return V4_PRIVATE.some(([base, bits]) => (n >>> (32 - bits)) === (base >>> (32 - bits)));
  }
  if (isIP(a) === 6) {
    return a === '::' || a === '::1' || /^f[cd]/.test(a) || /^fe[89ab]/.test(a) || /^ff/.test(a);
  }
  return false;
}

/** Why `url` may not take callbacks, or null when it may (a check of the text only; names are checked at POST time). */
export function callbackUrlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return 'not a URL'; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'only http and https URLs take callbacks';
  if (u.username || u.password) return 'no credentials in the URL (the callbacks are signed instead)';
  if (allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback host (CALLBACK_ALLOW_PRIVATE is off)';
  if (isIP(host) && isPrivateAddress(host)) return 'a loopback, private or link-local address (CALLBACK_ALLOW_PRIVATE is off)';
  return null;
}

/** At POST time: the name's addresses, refused when any is private (unless allowed). */
export async function checkCallbackHost(url: string, allowPrivate: boolean): Promise<string | null> {
  const text = callbackUrlProblem(url, allowPrivate);
  if (text || allowPrivate) return text;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  const addrs = await lookup(host, { all: true });
  return addrs.some((a) => isPrivateAddress(a.address)) ? `${host} resolves to a private address (CALLBACK_ALLOW_PRIVATE is off)` : null;
}
