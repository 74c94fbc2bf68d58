/**
 * adapters/webhooks: which resolved addresses a tenant's webhook may reach. Tenants choose the
 * URL, so without this check a webhook is a request forgery tool against the operator's own
 * network (metadata services, databases, the admin API on loopback).
 */
import { BlockList, isIP } from 'node:net'

/**
 * Ranges from the IANA special-purpose registries (RFC 6890) that are never a public endpoint.
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`, RFC 4291 §2.5.5.2) is matched against the IPv4 rules
 * by BlockList itself (the table test pins that down).
 */
const DENIED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address (RFC 1122 §3.2.1.3)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT, shared address space (RFC 6598)
  ['127.0.0.0', 8], // loopback (RFC 1122 §3.2.1.3)
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890 §2.2.2)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking, sometimes used for internal networks (RFC 2544)
  ['224.0.0.0', 4], // multicast (RFC 5771)
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255 (RFC 1112 §4)
]

const DENIED_V6: readonly [string, number][] = [
  ['::', 96], // unspecified ::, loopback ::1 and deprecated IPv4-compatible (RFC 4291 §2.5.5.1)
  ['64:ff9b::', 96], // NAT64 (RFC 6052): the embedded IPv4 may be private; refused outright
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only (RFC 6666)
  ['2001::', 32], // Teredo (RFC 4380): tunnels to an embedded IPv4 address
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['2002::', 16], // 6to4 (RFC 3056, deprecated by RFC 7526): embeds an IPv4 address
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local (RFC 4291 §2.5.6)
  ['fec0::', 10], // site-local, deprecated (RFC 3879)
  ['ff00::', 8], // multicast (RFC 4291 §2.7)
]

const denied = new BlockList()
for (const [net, prefix] of DENIED_V4) denied.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of DENIED_V6) denied.addSubnet(net, prefix, 'ipv6')

/**
 * True when `address` (an IP literal, no brackets) may be the target of a webhook. Anything that
 * is not an IP literal is refused, so a caller's mistake fails closed.
 */
export function isPublicAddress(address: string): boolean {
  // A zone id (`fe80::1%eth0`) belongs to link-local addresses only: never a public endpoint.
  const family = address.includes('%') ? 0 : isIP(address)
  if (family === 0) return false
  return !denied.check(address, family === 4 ? 'ipv4' : 'ipv6')
}
