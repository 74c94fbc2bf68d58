/**
 * What SERVICE_HOST can be: a public name that an ACME CA certifies, or a local name for a
 * first run on one machine. Decides the base URL handed out (report URL, logo URLs), whether the
 * service host gets a certificate, and the warnings shown at start, in records and in status.
 */
import { canonicalHost } from './canonical-host.js'

/** Where certificates come from: the built-in local CA, or an ACME directory. */
export type IssuerKind = 'local' | 'acme'

export type ServiceHostScope =
  /** `localhost` or a name under it: always loopback (RFC 6761 §6.3). */
  | 'loopback'
  /** A special-use or single-label name no public CA certifies and no outsider resolves. */
  | 'private'
  | 'public'

/**
 * Special-use and reserved suffixes (RFC 6761 §6, RFC 6762 `local`, RFC 8375 `home.arpa`,
 * RFC 2606 `example`, ICANN's `internal`): public CAs refuse them and outsiders cannot resolve them.
 */
const PRIVATE_SUFFIXES = ['test', 'invalid', 'example', 'local', 'internal', 'home.arpa']

const under = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`)

export function serviceHostScope(host: string): ServiceHostScope {
  const h = canonicalHost(host)
  if (under(h, 'localhost')) return 'loopback'
  if (!h.includes('.') || PRIVATE_SUFFIXES.some((s) => under(h, s))) return 'private'
  return 'public'
}

/**
 * Whether the service host gets a certificate: from the local CA any LDH name we can store
 * (localhost included, so `https://localhost:8443` works on a first run). Over ACME no CA
 * validates a loopback or single-label name, so ordering would only retry forever; a special-use
 * name (`.internal`, `.test`) is ordered, since a private ACME CA (step-ca, pebble) may issue it.
 */
export function serviceHostCertified(host: string, issuer: IssuerKind): boolean {
  if (issuer === 'local') return host === 'localhost' || host.includes('.')
  return host.includes('.') && serviceHostScope(host) !== 'loopback'
}

/**
 * The HTTPS port outsiders reach SERVICE_HOST on: set explicitly, or the listener's own port for
 * a loopback name (nothing maps ports on a first run), or 443 behind a port mapping (Docker, Fly).
 */
export function publicHttpsPort(host: string, httpsPort: number, explicit?: number): number {
  if (explicit !== undefined) return explicit
  return serviceHostScope(host) === 'public' ? 443 : httpsPort
}

/** `https://host` or `https://host:port`: the base of every URL handed to tenants and senders. */
export function serviceUrl(host: string, port: number): string {
  return port === 443 ? `https://${host}` : `https://${host}:${port}`
}

export interface ServiceHostFacts {
  host: string
  issuer: IssuerKind
  /** Path of the local CA's root, when the local CA issues. */
  localCaRoot: string | null
}

/**
 * Why the URLs and records handed out will not work for outsiders, in words an operator acts
 * on. Empty for a public name with ACME certificates.
 */
export function serviceHostWarnings(f: ServiceHostFacts): string[] {
  const scope = serviceHostScope(f.host)
  const out: string[] = []
  if (scope !== 'public') {
    out.push(
      `SERVICE_HOST ${f.host} is not a public name: the report URL, logo URLs and the CNAME ` +
        'target work from this machine only; set SERVICE_HOST to the public name of this service',
    )
  }
  if (!serviceHostCertified(f.host, f.issuer)) {
    out.push(
      f.issuer === 'acme'
        ? `SERVICE_HOST ${f.host} cannot get a certificate from an ACME CA: HTTPS to it fails ` +
            'the handshake'
        : `SERVICE_HOST ${f.host} is a single-label name and gets no certificate: HTTPS to it ` +
            'fails the handshake; use localhost or a name with a dot',
    )
  } else if (f.issuer === 'acme' && scope === 'private') {
    out.push(
      `SERVICE_HOST ${f.host} is a special-use name: public ACME CAs refuse it, only a private ` +
        'one can certify it',
    )
  }
  if (f.issuer === 'local') {
    out.push(
      'certificates come from the local CA (ACME_DIRECTORY_URL is unset): only clients that ' +
        `trust ${f.localCaRoot ?? 'its root'} accept them, so senders and mailbox providers will not`,
    )
  }
  return out
}
