/**
 * adapters/tls: picks the certificate for each TLS handshake by SNI. A SecureContext is built
 * once per certificate and kept in a bounded LRU, so 100k hostnames do not all sit in memory;
 * a renewed certificate replaces its context in place (no restart, open connections keep the
 * old one). Unknown names get no certificate: the handshake fails, and no other tenant's name
 * is ever revealed (RFC 8461 §7.1).
 */
import { randomBytes } from 'node:crypto'
import { createSecureContext, type SecureContext } from 'node:tls'
import { canonicalHost } from '../../core/canonical-host.js'
import type { Change, ChangePublisher } from '../../core/changes.js'
import type { CertificateBundle, CertStore } from '../../core/certs/types.js'
import { noMetrics, type Metrics } from '../../core/metrics.js'
import type { Logger } from '../../core/ports.js'

export interface SniOptions {
  store: CertStore
  /** Current serial for a hostname we serve: undefined = unknown name, null = none yet. */
  serialOf: (hostname: string) => string | null | undefined
  /** Most contexts kept; each holds ~40 KB of OpenSSL memory and took one parse of key and chain. */
  maxEntries: number
  log: Logger
  /** Where `certificate.damaged` is published when the bundle on disk is unusable (re-issue). */
  changes: ChangePublisher
  /** Where each lookup of a name we serve is counted as a hit or a miss; default: nowhere. */
  metrics?: Pick<Metrics, 'countSniCache'>
}

interface Entry {
  serial: string
  context: SecureContext
}

type SniCallback = (err: Error | null, ctx?: SecureContext) => void

export class SniCache {
  private readonly lru = new Map<string, Entry>()
  private readonly loading = new Map<string, Promise<Entry | null>>()
  /** One ticket key for every context, so sessions resume whichever context served them. */
  private readonly ticketKeys = randomBytes(48)

  private readonly metrics: Pick<Metrics, 'countSniCache'>

  constructor(private readonly opts: SniOptions) {
    this.metrics = opts.metrics ?? noMetrics
  }

  /** The `SNICallback` for https.createServer. */
  readonly callback = (servername: string, cb: SniCallback): void => {
    const hostname = canonicalHost(servername)
    const serial = this.opts.serialOf(hostname)
    if (!serial) return cb(new Error('no certificate for this name'))
    const hit = this.lru.get(hostname)
    if (hit && hit.serial === serial) {
      this.metrics.countSniCache(true)
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.lru.delete(hostname)
      this.lru.set(hostname, hit)
      return cb(null, hit.context)
    }
    this.metrics.countSniCache(false)
    this.load(hostname, serial).then(
      (entry) => (entry ? cb(null, entry.context) : cb(new Error('certificate unavailable'))),
      (err: Error) => cb(err),
    )
  }

  /**
   * Change feed subscriber (core/changes.ts): a stored or dropped certificate evicts the cached
   * context, and the next handshake loads the one the snapshot names. Nothing to do on
   * `reconcile`: entries are keyed by serial, so a snapshot reloaded with new serials reloads them.
   */
  apply(change: Change): void {
    if (change.type === 'certificate.stored') this.drop(change.hostname)
  }

  get size(): number {
    return this.lru.size
  }

  private load(hostname: string, serial: string): Promise<Entry | null> {
    const pending = this.loading.get(hostname)
    if (pending) return pending
    const p = this.opts.store
      // Digests only: the full X.509 check ran when the bundle was written, and OpenSSL still
      // refuses a key that does not match its certificate below.
      .read(hostname, 'digests')
      .then((read) => {
        let context: SecureContext | null = null
        let reason = read.status === 'corrupt' ? read.reason : 'missing on disk'
        if (read.status === 'ok') {
          try {
            context = this.contextOf(read.bundle)
          } catch (err) {
            reason = `TLS rejects the stored bundle: ${(err as Error).message}`
          }
        }
        if (context === null) {
          this.opts.log.warn('cert_store_damaged', { hostname, reason })
          void this.opts.changes.publish({ type: 'certificate.damaged', hostname, reason })
          return null
        }
        // Keyed by the serial the snapshot expects, so a lagging snapshot does not reload forever.
        const entry = { serial, context }
        this.put(hostname, entry)
        return entry
      })
      .finally(() => this.loading.delete(hostname))
    this.loading.set(hostname, p)
    return p
  }

  private put(hostname: string, entry: Entry): void {
    this.drop(hostname)
    this.lru.set(hostname, entry)
    while (this.lru.size > this.opts.maxEntries) this.drop(this.lru.keys().next().value as string)
  }

  /**
   * Frees a context as it leaves the cache. Left to the garbage collector, each ~40 KB OpenSSL
   * context outlives its tiny JS wrapper by minutes (V8 does not see that memory): 14k cache
   * misses grew RSS by 570 MB in the bench. Connections still using it are unaffected, since
   * OpenSSL counts their references to the context. Closed on the next macrotask, so handshakes
   * whose load resolved in this one (their callbacks run as microtasks) have already taken it.
   */
  private drop(hostname: string): void {
    const entry = this.lru.get(hostname)
    if (entry === undefined) return
    this.lru.delete(hostname)
    const native = (entry.context as { context?: { close?: () => void } }).context
    setImmediate(() => native?.close?.())
  }

  private contextOf(b: CertificateBundle): SecureContext {
    return createSecureContext({
      key: b.keyPem,
      cert: b.chainPem,
      minVersion: 'TLSv1.2', // RFC 8461 §7.2: TLS 1.2 or later
      ticketKeys: this.ticketKeys,
    })
  }
}
