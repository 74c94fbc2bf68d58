/**
 * bench, DNS rows (issue 12): the delegated zone both servers serve — built the same way in our
 * server's process (dns-server.ts) and in the bench process (for knot's zone file and the query
 * file), so both hold exactly the same records.
 */
import { splitTxt, quoteTxt } from '../src/core/dns/bind.js'
import { ZoneIndex } from '../src/core/dns/zone-index.js'
import { zoneLabel } from '../src/core/dns/zone-label.js'
import { zoneSettings } from '../src/core/dns/zone-settings.js'
import type { ZoneRecord } from '../src/core/dns/zone-types.js'

export const BENCH_ZONE = 'zone.bench.test'
/** Out of zone, so neither server needs glue. */
const NAMESERVERS = ['ns1.dns-bench.test', 'ns2.dns-bench.test']
const TTL = 300
/** One domain in BIMI_EVERY publishes a BIMI record (selector `default`). */
const BIMI_EVERY = 4

export const benchDomain = (i: number) => `d${i}.bench.test`

/** The zone labels of the `n` bench domains (index i-1 is `d<i>.bench.test`'s). */
export function benchLabels(n: number): string[] {
  const labels: string[] = []
  for (let i = 1; i <= n; i++) labels.push(zoneLabel(benchDomain(i)))
  return labels
}

/** The zone of these domains: MTA-STS and TLS-RPT for all, BIMI for every 4th. */
export function benchZone(labels: readonly string[]): ZoneIndex {
  const zone = new ZoneIndex(
    zoneSettings({ zone: BENCH_ZONE, nameservers: NAMESERVERS, ttl: TTL }),
    1,
  )
  // load(), as the engine fills the zone at start (services/engines/dns-zone.ts): no diffs.
  zone.load(
    labels.map((label, k) => {
      const i = k + 1
      const domain = benchDomain(i)
      return {
        label,
        // The id format the engine writes: a timestamp and a counter, 20 characters or so.
        mtaSts: `v=STSv1; id=20261201T000000${String(i).padStart(6, '0')};`,
        tlsRpt: `v=TLSRPTv1; rua=https://reports.policyhost.example/v1/tlsrpt/${domain}`,
        bimi:
          i % BIMI_EVERY === 0
            ? [
                {
                  selector: 'default',
                  value: `v=BIMI1; l=https://bimi.policyhost.example/${domain}/logo.svg; a=;`,
                },
              ]
            : [],
      }
    }),
  )
  return zone
}

const fqdn = (name: string) => `${name}.`

/** One record in RFC 1035 §5.1 master-file syntax (absolute names). */
function line(r: ZoneRecord): string {
  const head = `${fqdn(r.name)} ${(r as { ttl?: number }).ttl ?? TTL} IN ${r.type}`
  switch (r.type) {
    case 'SOA': {
      const d = r.data
      const timers = [d.serial, d.refresh, d.retry, d.expire, d.minimum].join(' ')
      return `${head} ${fqdn(d.mname)} ${fqdn(d.rname)} ${timers}`
    }
    case 'NS':
      return `${head} ${fqdn(r.data)}`
    case 'A':
    case 'AAAA':
      return `${head} ${r.data}`
    case 'TXT': {
      // RFC 1035 §3.3.14: each stored buffer is one <character-string> (≤ 255 octets).
      const parts = (Array.isArray(r.data) ? r.data : [r.data]).map((b) =>
        typeof b === 'string' ? splitTxt(b).map(quoteTxt).join(' ') : quoteTxt(b.toString()),
      )
      return `${head} ${parts.join(' ')}`
    }
    default:
      throw new Error(`bench zone file: no writer for ${r.type}`)
  }
}

/** The zone as a master file (SOA first), for knot. */
export function zoneFileText(zone: ZoneIndex): string {
  return `${zone.all().map(line).join('\n')}\n`
}

export interface QueryMix {
  mtaSts: number
  tlsRpt: number
  nxdomain: number
}

/** The mix the issue asks for: existing policies' TXT mostly, some TLS-RPT, some misses. */
export const QUERY_MIX: QueryMix = { mtaSts: 0.8, tlsRpt: 0.1, nxdomain: 0.1 }

/**
 * A dnsperf query file: `count` lines `<name> TXT`, names drawn at random (seeded, so every run
 * and both servers get the same file) from the domains' labels, in the QUERY_MIX shares;
 * misses are labels that look like ours but were never put, so the answer is NXDOMAIN.
 */
export function queryFile(labels: readonly string[], count: number, seed = 12): string {
  const n = labels.length
  let s = seed >>> 0
  // mulberry32: small and deterministic; the bench needs repeatable draws, not crypto.
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out: string[] = []
  for (let q = 0; q < count; q++) {
    const r = rand()
    const label = labels[Math.floor(rand() * n)]!
    if (r < QUERY_MIX.mtaSts) out.push(`${label}._mta-sts.${BENCH_ZONE} TXT`)
    else if (r < QUERY_MIX.mtaSts + QUERY_MIX.tlsRpt)
      out.push(`${label}._smtp._tls.${BENCH_ZONE} TXT`)
    else out.push(`nx${q}-${label}._mta-sts.${BENCH_ZONE} TXT`)
  }
  return `${out.join('\n')}\n`
}
