/**
 * The delegated service zone (issue 12): what it holds and the shapes the pure core
 * (zone-index.ts, answer.ts, ixfr-journal.ts, rrl.ts) and the server adapter
 * (adapters/dns-server/) exchange. Resource records use dns-packet's `Answer` shape so the
 * adapter encodes them as they are.
 *
 * Names are lower-case, without the root dot, everywhere in this module; the server lower-cases
 * the query name for lookups and echoes the query's own spelling in answers.
 */
import type { Answer } from 'dns-packet'

export type ZoneRecord = Answer

/** The zone's fixed settings, from config (DNS_ZONE, DNS_NAMESERVERS, DNS_TTL, …). */
export interface ZoneSettings {
  /** The zone apex, e.g. `dns.policyhost.example.net`. */
  origin: string
  /** NS targets at the apex (at least one). */
  nameservers: string[]
  /** The SOA RNAME as a name (`hostmaster.<origin>`). */
  hostmaster: string
  /** TTL of every record the zone serves, seconds. */
  ttl: number
  /** SOA timers, seconds (RFC 1035 §3.3.13); `minimum` is the negative-caching TTL (RFC 2308 §4). */
  refresh: number
  retry: number
  expire: number
  minimum: number
  /**
   * Addresses of nameservers whose names are inside the zone (glue): served as A/AAAA at those
   * names, so the parent's glue and our own answers agree.
   */
  nameserverAddresses: Record<string, string[]>
}

/** What the zone publishes for one delegated domain. */
export interface ZoneEntry {
  /** The domain's stable label in the zone (core/dns/zone-label.ts). */
  label: string
  /** TXT value of `<label>._mta-sts.<origin>` (`v=STSv1; id=…`), or null for none. */
  mtaSts: string | null
  /** TXT value of `<label>._smtp._tls.<origin>` (`v=TLSRPTv1; rua=…`), or null for none. */
  tlsRpt: string | null
  /** TXT values of `<selector>.<label>._bimi.<origin>`. */
  bimi: { selector: string; value: string }[]
}

/** Records removed and added by one change, SOA excluded (the IXFR journal adds it). */
export interface ZoneDiff {
  removed: ZoneRecord[]
  added: ZoneRecord[]
}

/** One journal step from `fromSerial` to `toSerial` (RFC 1995 §4 difference sequence). */
export interface ZoneDelta extends ZoneDiff {
  fromSerial: number
  toSerial: number
}
