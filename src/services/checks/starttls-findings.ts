/**
 * The checker's STARTTLS step (issue 13): each MX host probed as a sending MTA would (RFC 8461
 * §4.2: STARTTLS, a trusted certificate naming the MX host, not expired), failures reported with
 * the RFC 8460 result type a sender's report would carry, so they line up with TLS reports.
 */
import type { ProbeOutcome } from '../../core/checks/check-ports.js'
import type { Finding } from '../../core/checks/findings.js'
import type { StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { attempt, type Result } from './check-step.js'

/** MX hosts probed per domain: beyond this a domain's probes would hold the shared cap. */
export const PROBED_MX_PER_DOMAIN = 10
/** Probes of one domain in flight at once (the adapter caps all domains together). */
const PER_DOMAIN = 2

/** The `starttls` check, or why it does not run. */
export async function probeStep(
  deps: ServiceDeps,
  policy: StoredPolicy | null,
  mx: Promise<{ preference: number; exchange: string }[]>,
  now: Date,
): Promise<Result> {
  const prober = deps.prober
  if (prober === null) return { kind: 'starttls', skipped: 'MX_PROBE=off' }
  return attempt('starttls', async () => {
    const hosts = (await mx).map((r) => r.exchange).filter((h) => h !== '')
    if (policy === null || policy.mode === 'none') return []
    const targets = hosts.slice(0, PROBED_MX_PER_DOMAIN)
    // Addresses first: a failed lookup throws here, so the whole step is skipped (attempt).
    const addresses = await Promise.all(targets.map((h) => deps.dns.addresses(h)))
    const found: Finding[] = []
    const queue = targets.map((host, i) => ({ host, address: addresses[i]?.[0] }))
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (next.address === undefined) {
          found.push(noAddress(next.host))
          continue
        }
        const outcome = await prober.probe(next.host, next.address, now)
        if (!outcome.ok) found.push(failure(next.host, outcome, policy.mode))
      }
    }
    await Promise.all(Array.from({ length: PER_DOMAIN }, worker))
    return found
  })
}

function noAddress(host: string): Finding {
  return {
    kind: 'starttls',
    key: `starttls:${host}:no-address`,
    severity: 'warning',
    message: `MX ${host} has no address: senders skip it`,
  }
}

function failure(
  host: string,
  outcome: Extract<ProbeOutcome, { ok: false }>,
  mode: StoredPolicy['mode'],
): Finding {
  return {
    kind: 'starttls',
    key: `starttls:${host}:${outcome.resultType}`,
    // RFC 8461 §5: in enforce a sender refuses to deliver over this; in testing it delivers
    // and reports the failure (RFC 8460).
    severity: mode === 'enforce' ? 'error' : 'warning',
    message: `MX ${host}: ${outcome.resultType} (${outcome.stage}: ${outcome.detail})`,
  }
}
