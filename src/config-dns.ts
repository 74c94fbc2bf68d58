/**
 * The delegated zone's variables (issue 12), part of config.ts's one environment schema: the
 * zone, its server's address, nameservers and glue, TTL, secondaries and transfer access,
 * response-rate limiting. loadConfig also checks the zone against its nameservers (zoneError).
 */
import { isIP } from 'node:net'
import { z } from 'zod'
import { canonicalHost } from './core/canonical-host.js'
import { csv, each, isResolver, port, whole } from './config-fields.js'

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i
const hostname = z.string().regex(HOSTNAME, 'must be a hostname')

/** `ns1.example.net` or, for a name inside the zone, `ns1.dns.example.net=192.0.2.53`. */
function isNameserver(entry: string): boolean {
  const [name = '', address, ...rest] = entry.split('=')
  return rest.length === 0 && HOSTNAME.test(name) && (address === undefined || isIP(address) !== 0)
}

/** An address or `address/prefix` (node:net BlockList checks it later the same way). */
function isCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

export const DNS_ENV = {
  /** The service zone (e.g. `dns.policyhost.example.net`); unset: no DNS server, no delegation. */
  DNS_ZONE: hostname.transform(canonicalHost).optional(),
  /**
   * UDP and TCP port of the zone's server. Not 53 by default, like HTTP_PORT is not 80: the
   * process need not run as root; publish it as 53 (`-p 53:8053/udp -p 53:8053/tcp`).
   */
  DNS_PORT: port.default(8053),
  /** Address the DNS server binds to; default BIND_ADDRESS. */
  DNS_BIND_ADDRESS: z.string().min(1).optional(),
  /**
   * The zone's NS names, comma-separated; a name inside DNS_ZONE needs its glue address(es) as
   * `name=ip` (repeat the name for several). Required with DNS_ZONE.
   */
  DNS_NAMESERVERS: csv.superRefine(each(isNameserver, 'is not a hostname or hostname=ip')),
  /** TTL of the zone's records, seconds (also the SOA minimum, so negative answers age alike). */
  DNS_TTL: whole(30, 86_400).default(300),
  /** Secondaries to NOTIFY on every zone change (`ip` or `ip:port`, comma-separated). */
  DNS_SECONDARIES: csv.superRefine(each(isResolver, 'is not an IP address or ip:port')),
  /** Who may transfer the zone (AXFR/IXFR): addresses or CIDRs; default the secondaries. */
  DNS_TRANSFER_ALLOW: csv.superRefine(each(isCidr, 'is not an IP address or CIDR')),
  /**
   * UDP responses per second to one source prefix (/24, /56) before response-rate limiting;
   * 0 disables. Limited answers are dropped, every DNS_RRL_SLIP-th sent truncated (TC) so a
   * real resolver retries over TCP, which is never limited.
   */
  DNS_RRL_RESPONSES_PER_SECOND: whole(0, 1_000_000).default(100),
  DNS_RRL_SLIP: whole(0, 10).default(2),
}

/** The zone needs nameservers, and one inside the zone needs its glue address (RFC 1034 §4.2.1). */
export function zoneError(zone: string, nameservers: string[]): string | null {
  if (nameservers.length === 0) {
    return 'invalid DNS_NAMESERVERS: set at least one NS name with DNS_ZONE'
  }
  for (const entry of nameservers) {
    const [name = '', address] = entry.split('=')
    const host = canonicalHost(name)
    if (address === undefined && (host === zone || host.endsWith(`.${zone}`))) {
      return `invalid DNS_NAMESERVERS: ${name} is inside DNS_ZONE and needs its address (${name}=ip)`
    }
  }
  return null
}
