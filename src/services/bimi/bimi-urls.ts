import type { BimiAssertion } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'

/** Hex digits of the logo hash in its URL: 64 bits, unguessable enough and short. */
export const LOGO_PREFIX_LENGTH = 16

export interface BimiUrls {
  logo: string
  /** Published as `a=` only when the certificate embeds exactly this logo. */
  certificate: string | null
}

/**
 * Where receivers fetch the logo and the certificate. On the service host the logo URL is
 * content-addressed (a new logo is a new URL: caches never serve a stale one, and a VMC's
 * logo stays reachable); on a tenant's own logo host the path is stable per selector.
 */
export async function bimiUrls(
  deps: ServiceDeps,
  domainId: string,
  domain: string,
  a: BimiAssertion,
): Promise<BimiUrls> {
  const hosts = await deps.repos.domains.hostnames(domainId)
  const logoHost = hosts.find((h) => h.role === 'logo')?.name
  const cert = a.vmcPem !== null && a.vmcMatchesLogo === true
  if (logoHost) {
    return {
      logo: `https://${logoHost}/${a.selector}.svg`,
      certificate: cert ? `https://${logoHost}/${a.selector}.pem` : null,
    }
  }
  const base = `${deps.service.url}/logos/${domain}`
  return {
    logo: `${base}/${a.logoSha256.slice(0, LOGO_PREFIX_LENGTH)}.svg`,
    certificate: cert ? `${base}/${a.selector}.pem` : null,
  }
}
