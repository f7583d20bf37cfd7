/**
 * Source-address access control of a listener (docs/reliability.md): the addresses and subnets whose
 * requestors may associate. Matching is node:net's BlockList, which also matches an IPv4-mapped
 * IPv6 peer (`::ffff:10.0.0.5`) against an IPv4 rule.
 */
import { BlockList, isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

export interface AddressFilter {
  /** Whether a peer at `address` (as node reports `remoteAddress`) may associate. */
  allows(address: string | undefined): boolean;
}

const ANY: AddressFilter = { allows: () => true };

/**
 * A filter from entries such as `127.0.0.1`, `::1`, `10.0.0.0/8` or `fd00::/8`; any address
 * when `entries` is undefined. An empty list allows nobody. Throws InvalidArgumentError on an
 * entry that is neither an address nor a CIDR subnet.
 */
export function addressFilter(entries: readonly string[] | undefined): AddressFilter {
  if (entries === undefined) return ANY;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText, extra] = entry.trim().split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? undefined : Number(prefixText);
    const maxPrefix = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix))
    ) {
      throw new InvalidArgumentError('allowed address must be an IP address or a CIDR subnet', {
        details: { entry },
      });
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return {
    allows: (address) => {
      if (address === undefined) return false;
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** The address a per-address limit counts under: an IPv4-mapped IPv6 address as plain IPv4. */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
