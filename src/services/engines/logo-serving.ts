import type { Change } from '../../core/changes.js'
import type { ServiceDeps } from '../deps.js'
import { LOGO_PREFIX_LENGTH } from '../bimi/bimi-urls.js'

export interface ServedFile {
  bytes: Uint8Array<ArrayBuffer>
  type: 'image/svg+xml' | 'application/pem-certificate-chain'
  etag: string
  /** Content-addressed URLs never change: receivers may cache them for a year. */
  immutable: boolean
}

const SVG_BY_HASH = new RegExp(`^([0-9a-f]{${LOGO_PREFIX_LENGTH}})\\.svg$`)
const BY_SELECTOR = /^([a-z0-9][a-z0-9.-]{0,125})\.(svg|pem)$/
const encoder = new TextEncoder()

/**
 * Finds the logo or certificate file a receiver asked for, through a bounded cache so repeat
 * fetches do not touch the database. A subscriber of the change feed: a domain's change drops
 * that domain's entries only; `reconcile` drops them all.
 */
export class LogoFiles {
  private readonly cache = new Map<string, ServedFile | null>()

  constructor(
    private readonly deps: Pick<ServiceDeps, 'repos'>,
    private readonly maxEntries = 1_000,
  ) {}

  clear(): void {
    this.cache.clear()
  }

  /** Drops the entries of one domain (by name, as the cache is keyed). */
  forget(domain: string): void {
    const prefix = `${domain}/`
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key)
  }

  /** Change feed subscriber (core/changes.ts). */
  apply(change: Change): void {
    if (change.type === 'reconcile') this.clear()
    else if (change.type === 'domain.removed') this.forget(change.domain)
    else if (change.type === 'domain.changed' && change.what !== 'claim') this.forget(change.domain)
  }

  /** `/logos/<domain>/<file>` on the service host, or `/<file>` on a domain's logo host. */
  async find(domain: string, file: string, onLogoHost: boolean): Promise<ServedFile | null> {
    const key = `${domain}/${onLogoHost ? '@' : ''}${file}`
    if (this.cache.has(key)) return this.cache.get(key) ?? null
    const found = await this.load(domain, file, onLogoHost)
    if (this.cache.size >= this.maxEntries)
      this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(key, found)
    return found
  }

  private async load(
    domain: string,
    file: string,
    onLogoHost: boolean,
  ): Promise<ServedFile | null> {
    const bimi = this.deps.repos.bimi
    const hashed = onLogoHost ? null : SVG_BY_HASH.exec(file)
    if (hashed) {
      const logo = await bimi.domainLogoByPrefix(domain, hashed[1]!)
      return (
        logo && {
          bytes: copy(logo.svg),
          type: 'image/svg+xml',
          etag: `"${logo.sha256}"`,
          immutable: true,
        }
      )
    }
    const m = BY_SELECTOR.exec(file)
    if (!m || (!onLogoHost && m[2] === 'svg')) return null
    const assertion = await bimi.assertionByName(domain, m[1]!)
    if (!assertion) return null
    if (m[2] === 'pem') {
      if (!assertion.vmcPem) return null
      const bytes = encoder.encode(assertion.vmcPem)
      return {
        bytes,
        type: 'application/pem-certificate-chain',
        etag: `"${hex(bytes)}"`,
        immutable: false,
      }
    }
    const logo = await bimi.logo(assertion.logoSha256)
    return (
      logo && {
        bytes: copy(logo.svg),
        type: 'image/svg+xml',
        etag: `"${logo.sha256}"`,
        immutable: false,
      }
    )
  }
}

const copy = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** A cheap, stable validator for the PEM's ETag (not a security hash). */
function hex(b: Uint8Array): string {
  let h = 0x811c9dc5
  for (const x of b) h = Math.imul(h ^ x, 0x01000193) >>> 0
  return `${b.byteLength.toString(16)}-${h.toString(16)}`
}
