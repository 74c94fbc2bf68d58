/**
 * Proof of domain control (issue 9): a tenant claims a name, publishes a claim-specific token
 * in a TXT record under it, and the name is its once that record is seen. Pure rules only; the
 * lookup and the storage are services' and adapters' work.
 */
import type { DnsRecord } from './dns/records.js'
import { organizationalDomain } from './domain-name.js'

/**
 * The label the proof lives under. An underscore label (RFC 8552 §1) is never a hostname, so
 * it cannot clash with a mail or web name and cannot be wildcard-matched by a sibling zone.
 */
export const VERIFICATION_LABEL = '_policyhost'

/** Prefix of the TXT value, so that the record explains itself to whoever reads the zone. */
export const VERIFICATION_PREFIX = 'policyhost-verify='

/** The TXT record name that proves control of `domain`. */
export const verificationRecordName = (domain: string): string => `${VERIFICATION_LABEL}.${domain}`

/** The exact TXT value for a claim's token. */
export const verificationValue = (token: string): string => `${VERIFICATION_PREFIX}${token}`

/** The record a tenant publishes to prove control; `records` lists only it while pending. */
export function verificationRecord(domain: string, token: string): DnsRecord {
  return {
    name: verificationRecordName(domain),
    type: 'TXT',
    value: verificationValue(token),
    purpose:
      'proves that you control the domain: publish it, then POST …/verification (it is also ' +
      'checked every few minutes). Nothing is served for the domain until then',
  }
}

/** Most answers quoted back in a failed check: the record set is the tenant's, keep it short. */
const QUOTED = 3
const MAX_QUOTED_CHARS = 80

/**
 * Whether the TXT answers (each record's strings already joined, RFC 7208 §3.3) contain the
 * claim's value. Exact and case-sensitive: the token is base64url, where case is meaningful.
 * Several records may coexist (one per claiming tenant, or while a zone is handed over).
 */
export function txtProvesControl(answers: readonly string[], token: string): boolean {
  const want = verificationValue(token)
  return answers.some((a) => a.trim() === want)
}

/** Why a check did not prove control, in words the tenant can act on. */
export function missedProofMessage(
  domain: string,
  token: string,
  answers: readonly string[],
): string {
  const record = `TXT ${verificationRecordName(domain)} "${verificationValue(token)}"`
  if (answers.length === 0)
    return `no TXT record at ${verificationRecordName(domain)}; publish ${record}`
  const ours = answers.filter((a) => a.trim().startsWith(VERIFICATION_PREFIX))
  const shown = (ours.length > 0 ? ours : answers)
    .slice(0, QUOTED)
    .map((a) =>
      JSON.stringify(a.length > MAX_QUOTED_CHARS ? `${a.slice(0, MAX_QUOTED_CHARS)}…` : a),
    )
    .join(', ')
  return `the TXT records at ${verificationRecordName(domain)} do not hold this claim's token (found ${shown}); publish ${record}`
}

const MOVED = 'control moved to another tenant'

/** What the old holder is told when another tenant proved control of its domain. */
export function controlMovedMessage(domain: string, at: Date): string {
  return (
    `${MOVED} at ${at.toISOString()}. This claim has a new token: publish its record at ` +
    `${verificationRecordName(domain)} to prove control of ${domain} again`
  )
}

/** A later failed check keeps the notice that control moved, so the old holder still sees why. */
export function keepMovedNotice(previous: string | null, next: string): string {
  if (previous === null || !previous.startsWith(MOVED)) return next
  const notice = previous.split('. Last check: ')[0]
  return `${notice}. Last check: ${next}`
}

export interface ReservedNames {
  /** SERVICE_HOST: its name, anything under it and (for tenants) its whole registrable domain. */
  serviceHost: string
  /** RESERVED_DOMAINS: each name and everything under it. */
  reserved: readonly string[]
}

const atOrUnder = (name: string, zone: string): boolean =>
  name === zone || name.endsWith(`.${zone}`)

/**
 * Why `name` may never be registered, or null. Public suffixes are refused earlier, by the
 * name's own validation. The service host and the names under it are never anyone's (their
 * certificate and the admin API live there). Its parent domains and everything under them are
 * refused to tenants: whoever held them could answer for names beside the service. The
 * operator may still give the service's own domain to a tenant (a single-owner deployment
 * serving its own domain), but never the service host.
 */
export function reservedNameReason(
  name: string,
  rules: ReservedNames,
  by: 'tenant' | 'operator',
): string | null {
  const svc = rules.serviceHost
  if (atOrUnder(name, svc)) return `is the service host ${svc} or a name under it`
  // RFC 8461 §3.2: its policy host would be `mta-sts.<name>`, the service host itself.
  if (`mta-sts.${name}` === svc) return `has the service host ${svc} as its MTA-STS policy host`
  const own = organizationalDomain(svc)
  if (by === 'tenant' && own !== svc && atOrUnder(name, own)) {
    return `is inside ${own}, the domain of the service host ${svc}`
  }
  const listed = rules.reserved.find((zone) => atOrUnder(name, zone))
  if (listed !== undefined) return `is reserved by the operator (${listed} and names under it)`
  return null
}

/** Why a logo host may not be `host`, or null (it is already known to be under its domain). */
export function reservedHostReason(host: string, serviceHost: string): string | null {
  return atOrUnder(host, serviceHost)
    ? `is the service host ${serviceHost} or a name under it`
    : null
}

/**
 * Scheduled checks back off as a claim ages: every tick at first (the tenant has just
 * published), at most hourly later, so thousands of stale claims cost little DNS traffic. The
 * gap after a check is clamp((lastCheckAt − createdAt) / divisor, minMs, maxMs). The one
 * source of these numbers: `claimCheckDue` and the repositories' SQL (DomainRepo.dueClaims)
 * both read them.
 */
export const CLAIM_CHECK_GAP = { minMs: 2 * 60_000, maxMs: 60 * 60_000, divisor: 4 } as const

/**
 * Whether a pending claim is due for a scheduled DNS check at `now`. The reference rule:
 * DomainRepo.dueClaims selects the same claims in SQL (its tests check that they agree).
 */
export function claimCheckDue(
  claim: { createdAt: Date; lastCheckAt: Date | null },
  now: Date,
): boolean {
  if (claim.lastCheckAt === null) return true
  const age = claim.lastCheckAt.getTime() - claim.createdAt.getTime()
  const { minMs, maxMs, divisor } = CLAIM_CHECK_GAP
  const gap = Math.min(maxMs, Math.max(minMs, age / divisor))
  return now.getTime() - claim.lastCheckAt.getTime() >= gap
}
