import { canonicalHost } from '../canonical-host.js'
import type { ZoneSettings } from './zone-types.js'

export interface ZoneConfig {
  /** DNS_ZONE, canonical. */
  zone: string
  /** DNS_NAMESERVERS entries: `name` or `name=ip` (several entries may name one host). */
  nameservers: readonly string[]
  /** DNS_TTL. */
  ttl: number
}

/**
 * The zone's SOA and NS from config. Timers (RFC 1035 §3.3.13, RFC 1912 §2.2): secondaries hear
 * of changes by NOTIFY at once, so refresh is only the fallback (15 min); expire is two weeks,
 * long enough to ride out an outage of the primary. The negative TTL equals the records' TTL
 * (RFC 2308 §4), so a name that starts to exist is seen as fast as a changed one.
 */
export function zoneSettings(config: ZoneConfig): ZoneSettings {
  const nameservers: string[] = []
  const nameserverAddresses: Record<string, string[]> = {}
  for (const entry of config.nameservers) {
    const [raw = '', address] = entry.split('=')
    const name = canonicalHost(raw)
    if (!nameservers.includes(name)) nameservers.push(name)
    if (address !== undefined) (nameserverAddresses[name] ??= []).push(address)
  }
  return {
    origin: config.zone,
    nameservers,
    hostmaster: `hostmaster.${config.zone}`,
    ttl: config.ttl,
    refresh: 900,
    retry: 300,
    expire: 1_209_600,
    minimum: config.ttl,
    nameserverAddresses,
  }
}
