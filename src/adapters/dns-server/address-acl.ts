/**
 * adapters/dns-server: who may transfer the zone. RFC 5936 §5 leaves that to the operator and
 * says open-to-all must not be the default: an empty list allows nobody. Entries are addresses
 * or CIDR prefixes, IPv4 or IPv6. A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`;
 * those are matched as the IPv4 address they are.
 */
import { BlockList, isIP } from 'node:net'

export interface AddressAcl {
  allows(address: string): boolean
}

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** An ACL from `entries`; throws an Error naming the first entry that is not an address/CIDR. */
export function addressAcl(entries: readonly string[]): AddressAcl {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.trim().split('/')
    const family = isIP(address)
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix)
    const max = family === 6 ? 128 : 32
    const valid =
      family !== 0 &&
      extra === undefined &&
      (prefix === undefined || /^\d{1,3}$/.test(prefix)) &&
      bits <= max
    if (!valid) throw new Error(`transfer ACL: not an address or CIDR: ${JSON.stringify(entry)}`)
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4')
  }
  return {
    allows(raw: string): boolean {
      const address = MAPPED.exec(raw)?.[1] ?? raw
      const family = isIP(address)
      if (family === 0) return false
      return list.check(address, family === 6 ? 'ipv6' : 'ipv4')
    },
  }
}
