/**
 * The checker's verbs for owners and operators (issue 13): run the checks now, read the
 * findings with their history, and propose the policy's `mx` list from the live MX set.
 */
import type { Actor } from '../../core/actor.js'
import type { CheckState, FindingEvent } from '../../core/checks/check-ports.js'
import { mxCoverage, suggestMx } from '../../core/checks/mx-coverage.js'
import { DomainError } from '../../core/errors.js'
import type { Domain } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { getDomain } from '../domains/domains.js'
import { checkDomain, type CheckOutcome } from './check-domain.js'

/**
 * On demand, a domain is checked at most this often: each run is DNS queries made for the
 * tenant (and, with the probe, connections to its MX hosts), so a loop of requests must not
 * turn us into its query amplifier.
 */
export const CHECK_NOW_INTERVAL_MS = 10_000

/** A live domain of the actor's: checks of a claim not yet proven would run for anyone. */
async function liveDomain(deps: ServiceDeps, actor: Actor, name: string): Promise<Domain> {
  const domain = await getDomain(deps, actor, name)
  if (domain.status === 'pending') {
    throw new DomainError('CONFLICT', `${name} is not verified yet: prove control of it first`)
  }
  return domain
}

/**
 * Runs the checks now and returns what they stored. `limited` (the API): at most once per
 * CHECK_NOW_INTERVAL_MS per domain; the operator's CLI is not limited.
 */
export async function checkNow(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  opts: { limited: boolean } = { limited: true },
): Promise<CheckOutcome & CheckState> {
  const domain = await liveDomain(deps, actor, name)
  if (opts.limited) await notTooSoon(deps, domain)
  const outcome = await checkDomain(deps, domain)
  return { ...outcome, ...(await deps.repos.checks.state(domain.id)) }
}

async function notTooSoon(deps: ServiceDeps, domain: Domain): Promise<void> {
  const last = (await deps.repos.checks.state(domain.id)).runs.reduce(
    (max, r) => Math.max(max, r.ranAt.getTime()),
    0,
  )
  const wait = last + CHECK_NOW_INTERVAL_MS - deps.clock.now().getTime()
  if (wait > 0) {
    throw new DomainError(
      'RATE_LIMITED',
      `${domain.name} was checked moments ago; try again shortly`,
      [],
      { retryAfterSeconds: Math.ceil(wait / 1000) },
    )
  }
}

/** The domain's open findings, when each check last ran, and its latest changes. */
export async function checksOf(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  page: { limit: number; before?: number },
): Promise<CheckState & { history: FindingEvent[] }> {
  const domain = await getDomain(deps, actor, name)
  const [state, history] = await Promise.all([
    deps.repos.checks.state(domain.id),
    deps.repos.checks.history(domain.id, page.limit, page.before),
  ])
  return { ...state, history }
}

export interface MxSuggestion {
  /** The live MX hosts, lowest preference first. */
  live: string[]
  /** Those the policy's `mx` list does not cover (RFC 8461 §4.1). */
  uncovered: string[]
  /** An `mx` list covering them all, known providers folded into their wildcards. */
  suggested: string[]
}

/** Proposes the policy's `mx` list from the live MX records (through the injected resolver). */
export async function mxSuggestion(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<MxSuggestion> {
  const domain = await liveDomain(deps, actor, name)
  let records: { preference: number; exchange: string }[]
  try {
    records = await deps.dns.mx(domain.name)
  } catch {
    throw new DomainError('UPSTREAM', `the MX lookup for ${name} failed; try again later`)
  }
  const live = records.map((r) => r.exchange).filter((host) => host !== '')
  const policy = await deps.repos.policies.get(domain.id)
  return {
    live,
    uncovered: mxCoverage(policy?.mx ?? [], live).uncovered,
    suggested: suggestMx(live),
  }
}
