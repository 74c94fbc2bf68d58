import type { ServiceDeps } from '../deps.js'

/**
 * Why what we hand out (records, report URL, logo URLs) may not work for outsiders: the
 * configuration's warnings (core/service-host.ts), and the service host's certificate when it
 * is missing or its last order failed — a CNAME target without a certificate fails every fetch.
 */
export async function serviceWarnings(deps: ServiceDeps): Promise<string[]> {
  const out = [...deps.service.warnings]
  const cert = await deps.repos.certs.get(deps.serviceHost)
  if (cert === null) return out
  if (cert.notAfter !== null && cert.notAfter.getTime() <= deps.clock.now().getTime()) {
    out.push(
      `SERVICE_HOST ${deps.serviceHost}'s certificate expired at ${cert.notAfter.toISOString()}`,
    )
  } else if (cert.serial === null && cert.status !== 'pending') {
    out.push(
      `SERVICE_HOST ${deps.serviceHost} has no certificate yet: its last order ` +
        `${cert.status === 'dns_pending' ? 'waits for DNS' : 'failed'} (the operator's log says why)`,
    )
  }
  return out
}
