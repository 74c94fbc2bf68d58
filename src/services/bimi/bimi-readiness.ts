import { dmarcBlockers, pickDmarc } from '../../core/bimi/dmarc.js'
import { organizationalDomain } from '../../core/domain-name.js'
import type { BimiAssertion, Domain } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'

/** Warn this long before a mark certificate expires (providers then show nothing). */
const VMC_WARN_DAYS = 30
const DAY_MS = 86_400_000

export interface BimiReadiness {
  /** Reasons receivers will not show the logo; empty when DMARC allows BIMI. */
  dmarcBlockers: string[]
  certificates: Array<{ selector: string; notAfter: string | null; warnings: string[] }>
}

async function dmarcOf(deps: ServiceDeps, name: string, subdomain: boolean): Promise<string[]> {
  let txts: string[]
  try {
    txts = await deps.dns.txt(`_dmarc.${name}`)
  } catch (err) {
    return [`_dmarc.${name}: DNS lookup failed (${(err as Error).message})`]
  }
  const { policy, problem } = pickDmarc(txts)
  if (!policy) return [`_dmarc.${name}: ${problem}`]
  return dmarcBlockers(policy, subdomain).map((b) => `_dmarc.${name}: ${b}`)
}

/**
 * What the tenant must fix before BIMI shows (BIMI §8.1, §8.9): DMARC enforcement on the domain
 * and its organizational domain, and mark certificates that match and are not about to expire.
 */
export async function bimiReadiness(
  deps: ServiceDeps,
  domain: Domain,
  assertions: BimiAssertion[],
): Promise<BimiReadiness> {
  const org = organizationalDomain(domain.name)
  const blockers = await dmarcOf(deps, domain.name, false)
  // RFC 7489 §6.6.3: a subdomain without its own record falls back to the org domain's sp/p.
  if (org !== domain.name && blockers.some((b) => b.endsWith('no DMARC record'))) {
    blockers.splice(0, blockers.length, ...(await dmarcOf(deps, org, true)))
  } else if (org !== domain.name) {
    blockers.push(...(await dmarcOf(deps, org, false)))
  }
  const now = deps.clock.now()
  const certificates = assertions.map((a) => ({
    selector: a.selector,
    notAfter: a.vmcNotAfter?.toISOString() ?? null,
    warnings: markProblems(a, now).map((p) => p.message),
  }))
  return { dmarcBlockers: blockers, certificates }
}

/**
 * What is wrong with a selector's mark certificate, each with a code that stays the same while
 * the problem lasts (the checker keys its findings on it; the message counts days down).
 */
export function markProblems(
  a: Pick<BimiAssertion, 'vmcPem' | 'vmcMatchesLogo' | 'vmcNotAfter'>,
  now: Date,
): { code: 'other-logo' | 'expired' | 'expiring'; message: string }[] {
  const problems: ReturnType<typeof markProblems> = []
  if (a.vmcPem && a.vmcMatchesLogo === false) {
    problems.push({
      code: 'other-logo',
      message: 'the certificate embeds another logo; a= is not published',
    })
  }
  if (a.vmcNotAfter) {
    const days = Math.floor((a.vmcNotAfter.getTime() - now.getTime()) / DAY_MS)
    if (days < 0) problems.push({ code: 'expired', message: 'the mark certificate has expired' })
    else if (days <= VMC_WARN_DAYS) {
      problems.push({ code: 'expiring', message: `the mark certificate expires in ${days} days` })
    }
  }
  return problems
}
