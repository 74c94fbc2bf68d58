import { delegable } from '../../core/dns/records.js'
import type { DnsMode, Domain } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { liveRecords } from '../domains/records.js'
import { LIVE_WINDOW_MS } from './zone-sync.js'

/** How far the delegation of one record works, as live DNS shows it. */
export type DelegationCheck =
  /** The owner's CNAME points at our zone and resolves to the value the zone serves. */
  | 'ok'
  /** No CNAME at the owner's name (a TXT the owner publishes itself shows in `detail`). */
  | 'missing'
  /** A CNAME, but to another name. */
  | 'wrong-target'
  /** The CNAME is right, but resolving it does not give the zone's value (our zone unreachable?). */
  | 'wrong-value'
  /** The lookup failed (timeout, SERVFAIL): try again later. */
  | 'error'

export interface DelegatedRecordStatus {
  /** The owner's name, e.g. `_mta-sts.example.com`. */
  name: string
  /** Where its CNAME must point (with the root dot). */
  target: string
  /** The TXT value our zone serves there now. */
  value: string | null
  check: DelegationCheck
  detail: string | null
}

export interface DelegationStatus {
  mode: DnsMode
  /** DNS_ZONE, or null when this server runs no zone. */
  zone: string | null
  /** The `_mta-sts` id the zone announces, and the policy's id: they differ while in flight. */
  zoneId: string | null
  policyId: string | null
  /** Why the zone's id is not the policy's yet (RFC 8461 §8.1 ordering), or null. */
  inFlight: string | null
  records: DelegatedRecordStatus[]
}

/**
 * The domain's delegation as an owner needs to see it: which id the zone serves against the
 * policy's (and why they differ), and per delegated record whether the live DNS — through the
 * injected resolver, as a sender would resolve it — reaches our zone and its value.
 */
export async function delegationStatus(
  deps: ServiceDeps,
  domain: Domain,
): Promise<DelegationStatus | null> {
  if (domain.dnsMode !== 'delegated' || deps.zone === null || domain.dnsLabel === null) {
    return domain.dnsMode === 'delegated'
      ? { mode: 'delegated', zone: null, zoneId: null, policyId: null, inFlight: null, records: [] }
      : null
  }
  const origin = deps.zone.origin
  const [stored, policy] = await Promise.all([
    deps.repos.zone.entry(domain.id),
    deps.repos.policies.get(domain.id),
  ])
  const zoneId = stored?.entry ? stored.stsId : null
  const policyId = policy?.policyId ?? null
  let inFlight: string | null = null
  if (policyId !== null && zoneId !== policyId) {
    const since = new Date(deps.clock.now().getTime() - LIVE_WINDOW_MS)
    const waiting = (await deps.repos.zone.notAcked(domain.id, policyId, since)).length
    inFlight =
      waiting > 0
        ? `waiting until every serving instance serves policy ${policyId} (${waiting} not yet)`
        : `policy ${policyId} is served; the zone follows within seconds`
  }
  const entry = stored?.entry ?? null
  const wanted: { name: string; target: string; value: string | null }[] = []
  const records = domain.status === 'pending' ? [] : await liveRecords(deps, domain, { policy })
  for (const r of records) {
    const d = delegable(r, domain.name, domain.dnsLabel, origin)
    if (d === null) continue
    const value =
      d.kind === 'bimi'
        ? entry?.bimi.find((b) => b.selector === d.selector)?.value
        : entry?.[d.kind]
    wanted.push({ name: r.name, target: d.target, value: value ?? null })
  }
  return {
    mode: 'delegated',
    zone: origin,
    zoneId,
    policyId,
    inFlight,
    records: await Promise.all(wanted.map((w) => checkRecord(deps, w))),
  }
}

async function checkRecord(
  deps: ServiceDeps,
  w: { name: string; target: string; value: string | null },
): Promise<DelegatedRecordStatus> {
  const out = { name: w.name, target: `${w.target}.`, value: w.value }
  try {
    const cnames = await deps.dns.cname(w.name)
    if (cnames.length === 0) {
      const txt = await deps.dns.txt(w.name)
      const detail = txt.length > 0 ? `publishes TXT itself: ${txt.join(' | ')}` : null
      return { ...out, check: 'missing', detail }
    }
    if (!cnames.includes(w.target)) {
      return { ...out, check: 'wrong-target', detail: `CNAME to ${cnames.join(', ')}` }
    }
    const txt = await deps.dns.txt(w.name)
    if (w.value !== null && txt.includes(w.value)) return { ...out, check: 'ok', detail: null }
    const seen = txt.length > 0 ? txt.join(' | ') : 'no TXT'
    return { ...out, check: 'wrong-value', detail: `resolves to ${seen}` }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return { ...out, check: 'error', detail: code ?? 'lookup failed' }
  }
}
