/** Address allowlists (USSD_HTTP_ALLOW): IPv4/IPv6 addresses and CIDR ranges; IPv4-mapped IPv6 counts as IPv4. */
import { BlockList, isIPv6 } from 'node:net';

export function sourceAllowed(cidrs: readonly string[], remote: string): boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/') as [string, string | undefined];
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  const ip = mapped ? mapped[1]! : remote;
  return list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
}
