import type { Change } from '../../core/changes.js'
import { renderStsRecord } from '../../core/mta-sts/sts-record.js'
import type { StoredZoneEntry } from '../../core/dns/zone-ports.js'
import type { ZoneEntry } from '../../core/dns/zone-types.js'
import type { Domain } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { liveRecords } from '../domains/records.js'
import { delegable } from '../../core/dns/records.js'

/**
 * How often a serving instance says it is alive. Every write is a commit other processes on the
 * SQLite file see (data_version) and answer with a full reconcile, so beats are sparse.
 */
export const HEARTBEAT_MS = 30_000
/** An instance not seen for this long (three missed beats) no longer holds a zone change back. */
export const LIVE_WINDOW_MS = 3 * HEARTBEAT_MS

/**
 * The domain whose zone entry a change may affect, or null. A pending claim (`claim`) is never
 * in the zone, so its frequent verification checks cost the zone nothing.
 */
export function zoneDomainOf(change: Change): string | null {
  if (change.type === 'domain.removed') return change.domainId
  if (change.type === 'domain.changed' && change.what !== 'claim') return change.domainId
  return null
}

/** What the zone sync needs besides the services' deps. */
export interface ZoneSyncContext {
  deps: ServiceDeps
  /** This serving instance (its heartbeat row). */
  instanceId: string
  /** An instance not seen for this long no longer holds a change back. */
  liveWindowMs: number
  /** Whether this instance's policy snapshot serves exactly `text` on `hostname`. */
  serves(hostname: string, text: string): boolean
}

/** Why the zone's `_mta-sts` id differs from the policy's, while a change is in flight. */
export type ZoneSyncOutcome =
  | { result: 'unchanged' | 'changed' }
  | { result: 'waiting'; policyId: string; waitingFor: string[] }

/**
 * Brings the zone's entry for one domain up to date with the store, in RFC 8461 §8.1 order: the
 * `_mta-sts` id moves to a new policy only once every live instance reports serving it (this
 * one included; each call records this instance's own report first). TLS-RPT and BIMI values
 * follow at once: what they point at is served from the store as soon as it is written.
 * A domain that is not delegated, not live or gone leaves the zone (a tombstone). Idempotent;
 * a lost compare-and-set (another instance wrote first) is retried from a fresh read.
 */
export async function syncZoneEntry(
  ctx: ZoneSyncContext,
  domainId: string,
): Promise<ZoneSyncOutcome> {
  const outcome = await syncOnce(ctx, domainId)
  // The waiting list is what serving instances retry (ticks, reconciles): marked here by
  // whichever process made the change, cleared by whichever sees it through.
  const zone = ctx.deps.repos.zone
  if (outcome.result === 'waiting') await zone.markPending(domainId, ctx.deps.clock.now())
  else await zone.clearPending(domainId)
  return outcome
}

async function syncOnce(ctx: ZoneSyncContext, domainId: string): Promise<ZoneSyncOutcome> {
  const { deps } = ctx
  for (let attempt = 0; attempt < 3; attempt++) {
    const [domain, stored] = await Promise.all([
      deps.repos.domains.byId(domainId),
      deps.repos.zone.entry(domainId),
    ])
    const wanted = await desired(ctx, domain, stored)
    const next = wanted.next
    if (next === null && (stored === null || stored.entry === null)) return { result: 'unchanged' }
    if (next !== null && stored !== null && same(next, stored)) return wanted.outcome
    const label = next?.label ?? stored?.label ?? ''
    const version = await deps.repos.zone.write(
      domainId,
      { label, entry: next?.entry ?? null, stsId: next?.stsId ?? null },
      stored?.version ?? null,
      deps.clock.now(),
    )
    if (version !== null) {
      return wanted.outcome.result === 'waiting' ? wanted.outcome : { result: 'changed' }
    }
  }
  deps.log.warn('zone_sync_contended', { domainId })
  return { result: 'unchanged' }
}

interface Wanted {
  next: { label: string; entry: ZoneEntry; stsId: string | null } | null
  outcome: ZoneSyncOutcome
}

async function desired(
  ctx: ZoneSyncContext,
  domain: Domain | null,
  stored: StoredZoneEntry | null,
): Promise<Wanted> {
  const { deps } = ctx
  const served =
    domain !== null &&
    domain.status !== 'pending' &&
    domain.dnsMode === 'delegated' &&
    domain.dnsLabel !== null &&
    deps.zone !== null
  if (!served) return { next: null, outcome: { result: 'unchanged' } }
  const policy = await deps.repos.policies.get(domain.id)
  const records = await liveRecords(deps, domain, { policy })
  const label = domain.dnsLabel as string
  let tlsRpt: string | null = null
  const bimi: ZoneEntry['bimi'] = []
  for (const r of records) {
    const d = delegable(r, domain.name, label, deps.zone!.origin)
    if (d?.kind === 'tlsRpt') tlsRpt = r.value
    else if (d?.kind === 'bimi') bimi.push({ selector: d.selector, value: r.value })
  }
  let stsId = stored?.stsId ?? null
  let outcome: ZoneSyncOutcome = { result: 'unchanged' }
  if (policy === null) stsId = null
  else if (policy.policyId !== stsId) {
    const now = deps.clock.now()
    if (ctx.serves(`mta-sts.${domain.name}`, policy.text)) {
      await deps.repos.zone.ack(ctx.instanceId, domain.id, policy.policyId, now)
    }
    const waitingFor = await deps.repos.zone.notAcked(
      domain.id,
      policy.policyId,
      new Date(now.getTime() - ctx.liveWindowMs),
    )
    if (waitingFor.length === 0) stsId = policy.policyId
    else outcome = { result: 'waiting', policyId: policy.policyId, waitingFor }
  }
  const entry: ZoneEntry = {
    label,
    mtaSts: stsId === null ? null : renderStsRecord(stsId),
    tlsRpt,
    bimi,
  }
  return { next: { label: entry.label, entry, stsId }, outcome }
}

function same(next: NonNullable<Wanted['next']>, stored: StoredZoneEntry): boolean {
  return (
    stored.entry !== null &&
    next.label === stored.label &&
    next.stsId === stored.stsId &&
    JSON.stringify(next.entry) === JSON.stringify(stored.entry)
  )
}
