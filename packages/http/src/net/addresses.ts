/**
 * IP address helpers with no I/O: loopback checks, IPv4-mapped IPv6 normalisation and the
 * address lists `trustProxy` accepts (addresses, CIDR ranges, `loopback`, `private`).
 */
import { BlockList, isIP } from 'node:net';

/** Named ranges `trustProxy` accepts besides addresses and CIDRs. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'],
};

/**
 * The address as Node reports it, with an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) turned
 * back into IPv4 and zone ids (`fe80::1%eth0`) dropped; `undefined` when it is not an address.
 */
export function normalizeAddress(address: string): string | undefined {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped !== null) text = mapped[1]!;
  return isIP(text) === 0 ? undefined : text.toLowerCase();
}

const LOOPBACK = rangeList(NAMED_RANGES.loopback!);

/** True for an address in 127.0.0.0/8 or ::1 (IPv4-mapped forms included). */
export function isLoopbackAddress(address: string): boolean {
  return contains(LOOPBACK, address);
}

/**
 * True when `host` (as written in config) can only be a loopback address: `localhost`, an address
 * in 127.0.0.0/8, or `::1`.
 *
 * @remarks
 * `localhost` is accepted here because the server checks the address it actually bound as well
 * (a hosts file can point `localhost` elsewhere).
 */
export function isLoopbackHost(host: string): boolean {
  const text = host.trim().toLowerCase();
  return text === 'localhost' || isLoopbackAddress(text);
}

/**
 * Checks one `trustProxy` entry: an address, a CIDR range or a named range.
 *
 * @returns `undefined` when valid, else what is wrong.
 */
export function rangeProblem(entry: string): string | undefined {
  if (NAMED_RANGES[entry] !== undefined) return undefined;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return `"${entry}" is not an address or CIDR range`;
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IPv4 or IPv6 address`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `"/${prefix}" is not a prefix length between 0 and ${max}`;
  return undefined;
}

/**
 * Builds a matcher for a list of addresses, CIDR ranges and named ranges (each checked with
 * {@link rangeProblem} first).
 */
export function rangeList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** True when `address` (any textual form) is in `list`; false for text that is not an address. */
export function contains(list: BlockList, address: string): boolean {
  const normal = normalizeAddress(address);
  if (normal === undefined) return false;
  return list.check(normal, isIP(normal) === 6 ? 'ipv6' : 'ipv4');
}
