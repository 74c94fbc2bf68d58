/** The zone settings DNS tests start from: one origin, SOA timers, and a nameserver with glue. */
import type { ZoneSettings } from '../../src/core/dns/zone-types.js'

export const ORIGIN = 'dns.policyhost.example.net'

/** Settings for `ORIGIN`; `over` replaces what a test is about (nameservers, glue, TTLs). */
export function testZoneSettings(over: Partial<ZoneSettings> = {}): ZoneSettings {
  return {
    origin: ORIGIN,
    nameservers: [`ns1.${ORIGIN}`],
    hostmaster: `hostmaster.${ORIGIN}`,
    ttl: 300,
    refresh: 3600,
    retry: 600,
    expire: 1_209_600,
    minimum: 60,
    nameserverAddresses: { [`ns1.${ORIGIN}`]: ['192.0.2.53'] },
    ...over,
  }
}
