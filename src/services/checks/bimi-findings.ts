/**
 * The checker's BIMI step (issue 13): for a domain publishing BIMI, each selector's record as
 * receivers look it up (`<selector>._bimi.<domain>`, BIMI §5.4) against the value we hand out,
 * the DMARC precondition (BIMI §8.1: quarantine or reject, also on the organizational domain)
 * and the mark certificates — the existing readiness rule (services/bimi/bimi-readiness.ts),
 * now in the same run, so its problems alert like the others.
 */
import type { Finding } from '../../core/checks/findings.js'
import type { Domain } from '../../core/ports.js'
import { bimiReadiness, markProblems } from '../bimi/bimi-readiness.js'
import type { ServiceDeps } from '../deps.js'
import { liveRecords } from '../domains/records.js'
import { attempt, type Result } from './check-step.js'

export async function bimiStep(deps: ServiceDeps, domain: Domain): Promise<Result> {
  return attempt('bimi', async () => {
    const assertions = await deps.repos.bimi.list(domain.id)
    if (assertions.length === 0) return []
    const found: Finding[] = []
    const finding = (key: string, severity: Finding['severity'], message: string) =>
      found.push({ kind: 'bimi', key: `bimi:${key}`, severity, message })
    const wanted = (await liveRecords(deps, domain)).filter(
      (r) => r.type === 'TXT' && r.name.includes('._bimi.'),
    )
    for (const r of wanted) {
      // A failed lookup throws: the step is skipped (attempt), never reported as drift.
      const txts = await deps.dns.txt(r.name)
      const bimi = txts.filter((t) => t.startsWith('v=BIMI1'))
      if (bimi.length === 0) finding(`missing:${r.name}`, 'warning', `no BIMI record at ${r.name}`)
      else if (bimi.length > 1) {
        finding(
          `multiple:${r.name}`,
          'warning',
          `${bimi.length} BIMI records at ${r.name}: keep one`,
        )
      } else if (bimi[0] !== r.value) {
        finding(`drift:${r.name}`, 'warning', `${r.name} does not publish the record handed out`)
      }
    }
    const readiness = await bimiReadiness(deps, domain, assertions)
    for (const blocker of readiness.dmarcBlockers) {
      // bimiReadiness reports a failed DMARC lookup as a blocker: ours, not the owner's.
      if (blocker.includes('DNS lookup failed')) throw new Error('DMARC lookup failed')
      finding(`dmarc:${blocker}`, 'warning', `logos will not show: ${blocker}`)
    }
    // Keyed by the problem's code, not its words: "expires in 12 days" tomorrow is the same
    // problem as "expires in 13 days" today, and must not alert again.
    const now = deps.clock.now()
    for (const a of assertions) {
      for (const p of markProblems(a, now))
        finding(`mark:${a.selector}:${p.code}`, 'warning', `${a.selector}: ${p.message}`)
    }
    return found
  })
}
