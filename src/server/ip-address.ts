/**
 * Client addresses as the per-address limits see them: parsed to bytes, an
 * IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack listener
 * reports) taken as the IPv4 address it maps, an IPv6 address grouped by its
 * /64 (one subscriber's usual allocation), and CIDR ranges to match against.
 * Pure functions, no state.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: readonly number[];
}

export interface Cidr extends IpAddress {
  /** Leading bits that must match, 0..32 or 0..128. */
  prefix: number;
}

/** IPv6 addresses in one /64 count as one address. */
export const IPV6_GROUP_PREFIX = 64;
const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function v4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** The 16 bytes of a valid IPv6 address (checked by the caller), `::` and a dotted tail included. */
function v6Bytes(text: string): number[] {
  const groupsOf = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a, b, c, d] = v4Bytes(group) as [number, number, number, number];
        groups.push((a << 8) | b, (c << 8) | d);
      } else groups.push(Number.parseInt(group, 16));
    }
    return groups;
  };
  const [head = '', tail] = text.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** The address in `text`, or undefined when it is not one. A zone (`%eth0`) is ignored. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, bytes: v4Bytes(text) };
  const zone = text.indexOf('%');
  const bare = zone < 0 ? text : text.slice(0, zone);
  if (!isIPv6(bare)) return undefined;
  const bytes = v6Bytes(bare);
  if (V4_MAPPED_PREFIX.every((byte, i) => bytes[i] === byte)) return { family: 4, bytes: bytes.slice(12) };
  return { family: 6, bytes };
}

/** The key the limits count under: the IPv4 address, or the IPv6 /64 (`2001:db8:0:1::/64`). */
export function addressGroup(address: IpAddress): string {
  if (address.family === 4) return address.bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < IPV6_GROUP_PREFIX / 8; i += 2) groups.push((((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0)).toString(16));
  return `${groups.join(':')}::/${IPV6_GROUP_PREFIX}`;
}

/** `a.b.c.d/n`, `x::y/n`, or an address alone (all its bits). Throws an Error saying what is wrong. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = isIPv4(addressText) || isIPv6(addressText) ? parseIp(addressText) : undefined;
  if (address === undefined) throw new Error(`'${text}' is not an address or CIDR range`);
  // A mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  const mappedBits = isIPv6(addressText) && address.family === 4 ? 96 : 0;
  const maxBits = isIPv4(addressText) ? 32 : 128;
  const prefixText = slash < 0 ? String(maxBits) : text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= mappedBits && prefix <= maxBits)) throw new Error(`'${text}': the prefix length must be ${mappedBits}..${maxBits}`);
  return { ...address, prefix: prefix - mappedBits };
}

/** A comma-separated list of CIDR ranges, or `none` for an empty list. */
export function parseCidrList(text: string): Cidr[] {
  const trimmed = text.trim();
  if (trimmed === 'none') return [];
  if (trimmed === '') throw new Error("the list is empty (give 'none' for no exemptions)");
  return trimmed.split(',').map((part) => parseCidr(part.trim()));
}

export function inCidr(address: IpAddress, range: Cidr): boolean {
  if (address.family !== range.family) return false;
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const bits = Math.min(8, range.prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((address.bytes[bit / 8] ?? 0) & mask) !== ((range.bytes[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}
