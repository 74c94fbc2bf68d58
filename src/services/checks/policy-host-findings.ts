/**
 * The checker's policy-host step (issue 13): the policy fetched from outside exactly as a
 * sender fetches it (RFC 8461 §3.3: HTTPS to `mta-sts.<domain>`, a valid certificate, no
 * redirects, `text/plain`), and compared byte for byte with what this service serves — a proxy,
 * a stale host or a missing certificate in between is what senders would hit.
 */
import type { Finding } from '../../core/checks/findings.js'
import type { Domain, StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { attempt, type Result } from './check-step.js'

export async function policyHostStep(
  deps: ServiceDeps,
  domain: Domain,
  policy: StoredPolicy | null,
  now: Date,
): Promise<Result> {
  const fetcher = deps.policyFetcher
  if (fetcher === null) return { kind: 'policy-host', skipped: 'POLICY_FETCH=off' }
  return attempt('policy-host', async () => {
    if (policy === null) return []
    const host = `mta-sts.${domain.name}`
    // RFC 8461 §5: in enforce a sender without the policy delivers without it; either way the
    // owner's policy is not applied, so it is an error there and a warning while testing.
    const severity = policy.mode === 'enforce' ? 'error' : 'warning'
    const finding = (what: string, message: string): Finding => ({
      kind: 'policy-host',
      key: `policy-host:${what}`,
      severity,
      message,
    })
    // Through the injected resolver, as every other check: a failed lookup skips the step.
    const [address] = await deps.dns.addresses(host)
    if (address === undefined) {
      return [finding('no-address', `${host} has no address: senders cannot fetch the policy`)]
    }
    const r = await fetcher.fetch(domain.name, address, now)
    if (!r.ok) {
      return [
        finding(r.reason, `${host}: senders cannot fetch the policy (${r.reason}: ${r.detail})`),
      ]
    }
    if (r.text !== policy.text) {
      return [finding('differs', `${host} serves another policy than this service does`)]
    }
    return []
  })
}
