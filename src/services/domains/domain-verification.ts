import { z } from 'zod'
import { SYSTEM_ACTOR, type Actor } from '../../core/actor.js'
import {
  controlMovedMessage,
  missedProofMessage,
  keepMovedNotice,
  txtProvesControl,
  verificationRecordName,
} from '../../core/domain-claim.js'
import type { Displacement, Domain } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { newClaimToken, policyHostOf } from './domains.js'
import { ownedDomain, requireOperator } from '../scope.js'

export const VerificationInput = z
  .object({
    /** Operator only: mark the domain verified without DNS (audited). */
    trust: z.boolean().optional(),
    /** Operator only: whose claim, when several tenants claim the name. */
    tenantId: z.string().min(1).max(64).optional(),
  })
  .strict()
export type VerificationInput = z.infer<typeof VerificationInput>

export interface VerificationOutcome {
  domain: Domain
  verified: boolean
  /** What happened, in words the tenant can act on. */
  message: string
}

/**
 * Runs the proof-of-control check for the caller's claim now: the `_policyhost.<name>` TXT
 * record must hold the claim's token. With `trust` (operator only) the domain is marked
 * verified without DNS. A domain already verified is left as it is.
 */
export async function verifyDomain(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  input: VerificationInput = {},
): Promise<VerificationOutcome> {
  if (input.trust || input.tenantId !== undefined) requireOperator(actor)
  const claim = await ownedDomain(deps, actor, name, input.tenantId)
  if (claim.status !== 'pending') {
    const at = claim.verifiedAt ? ` (${claim.verifiedAt.toISOString()})` : ''
    return { domain: claim, verified: true, message: `control of ${name} is proven${at}` }
  }
  if (input.trust) return promote(deps, actor, claim, 'trust')
  return checkClaim(deps, actor, claim)
}

/** One DNS check of a pending claim; promotes it when the token is there. */
async function checkClaim(
  deps: ServiceDeps,
  actor: Actor,
  claim: Domain,
): Promise<VerificationOutcome> {
  const now = deps.clock.now()
  const record = verificationRecordName(claim.name)
  let message: string
  try {
    const answers = await deps.dns.txt(record)
    if (claim.verificationToken && txtProvesControl(answers, claim.verificationToken)) {
      return await promote(deps, actor, { ...claim, lastCheckAt: now }, 'dns')
    }
    message = claim.verificationToken
      ? missedProofMessage(claim.name, claim.verificationToken, answers)
      : 'this claim has no token; the operator can verify it (trust)'
  } catch (err) {
    // SERVFAIL, timeout: the zone may be fine; say so and let the schedule try again.
    const code = (err as { code?: string }).code ?? (err as Error).message
    message = `the DNS lookup of ${record} TXT failed (${code}); it is retried on schedule`
  }
  const holder = await deps.repos.domains.byName(claim.name)
  if (holder && holder.tenantId !== claim.tenantId) {
    message += `. ${claim.name} is held by another tenant; proving control moves it to you`
  }
  message = keepMovedNotice(claim.lastCheckError, message)
  await deps.repos.domains.recordCheck(claim.id, now, message)
  // The tenant reads the reason from the API; the scheduled checks of stale claims stay quiet.
  deps.log.debug('domain_check_failed', { tenantId: claim.tenantId, domain: claim.name, message })
  return {
    domain: { ...claim, lastCheckAt: now, lastCheckError: message },
    verified: false,
    message,
  }
}

/**
 * Makes the claim the live domain. A verified domain moves to another tenant only here, by
 * that tenant proving control: the old holder's row goes back to pending with a fresh token
 * (its old record must not win the name straight back) and is told why.
 */
async function promote(
  deps: ServiceDeps,
  actor: Actor,
  claim: Domain,
  method: 'dns' | 'trust',
): Promise<VerificationOutcome> {
  const now = deps.clock.now()
  const verified: Domain = { ...claim, verifiedAt: now }
  const displacement: Displacement = {
    verificationToken: newClaimToken(deps),
    claimExpiresAt: new Date(now.getTime() + deps.claims.ttlMs),
    lastCheckError: controlMovedMessage(claim.name, now),
    audit: (old) => ({
      at: now,
      tenantId: old.tenantId,
      actorTokenId: actor.tokenId,
      action: 'domain.control_lost',
      subject: claim.name,
      detail: { method },
    }),
  }
  const { displaced } = await deps.repos.domains.verify(
    verified,
    [{ name: policyHostOf(claim.name), domainId: claim.id, role: 'policy' }],
    displacement,
    auditOf(deps, actor, 'domain.verify', claim.name, { method }, claim.tenantId),
  )
  const fields = { tenantId: claim.tenantId, domain: claim.name, method }
  if (displaced) {
    deps.log.warn('domain_control_moved', { ...fields, fromTenantId: displaced.tenantId })
  } else deps.log.info('domain_verified', fields)
  const moved = displaced ? '; it moved here from the tenant that held it' : ''
  return {
    domain: { ...verified, status: 'active', claimExpiresAt: null, lastCheckError: null },
    verified: true,
    message: `control of ${claim.name} is proven (${method})${moved}`,
  }
}

/**
 * The scheduled check: a bounded batch of pending claims that are due (backing off as they
 * age), those due longest first. Each claim is caught on its own, so one bad zone never stops
 * the rest.
 */
export async function checkPendingClaims(
  deps: ServiceDeps,
  batch = 50,
): Promise<{ checked: number; verified: number }> {
  const now = deps.clock.now()
  // The repository selects exactly the claims `claimCheckDue` calls due (its tests check that
  // they agree), earliest due first: filtering again here could only shrink the batch, and
  // reading more than the batch to filter it is what let stale claims starve a young one.
  const due = await deps.repos.domains.dueClaims(now, batch)
  let verified = 0
  for (const claim of due) {
    try {
      if ((await checkClaim(deps, SYSTEM_ACTOR, claim)).verified) verified++
    } catch (err) {
      deps.log.warn('domain_check_error', { domain: claim.name, error: (err as Error).message })
    }
  }
  return { checked: due.length, verified }
}

/** Deletes pending claims whose time is up (with whatever settings they had); their names. */
export async function removeExpiredClaims(deps: ServiceDeps): Promise<string[]> {
  const now = deps.clock.now()
  const expired = await deps.repos.domains.expiredClaims(now, 500)
  for (const claim of expired) {
    await deps.repos.domains.remove(
      claim.id,
      auditOf(deps, SYSTEM_ACTOR, 'domain.claim_expired', claim.name, {}, claim.tenantId),
    )
    deps.log.info('domain_claim_expired', { tenantId: claim.tenantId, domain: claim.name })
  }
  return expired.map((c) => c.name)
}
