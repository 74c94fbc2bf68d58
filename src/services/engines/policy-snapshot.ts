import type { CarriedPolicy, Change } from '../../core/changes.js'
import type { Logger, ServedHost, SnapshotSource } from '../../core/ports.js'
import { ByteSlab } from './byte-slab.js'

/** A policy ready to send: the exact bytes, encoded once. */
export interface ServedBody {
  bytes: Uint8Array<ArrayBuffer>
}

interface HostEntry {
  policy: ServedBody | undefined
  /** The policy row's revision `policy` came from (null without a policy). */
  revision: number | null
  certSerial: string | null
  /** Set for a customer's logo host: the domain whose logos it serves. */
  logoDomain: string | null
}

const encoder = new TextEncoder()
/** Single changes get their own buffer, so a slab from a full load is never kept by churn. */
const single = { encode: (text: string) => encoder.encode(text) }

/**
 * The in-memory view both listeners serve from — hostname → policy bytes and current
 * certificate serial — so no request or handshake touches the database. A subscriber of the
 * change feed (`apply`): one domain is reloaded on its events, everything on `reconcile` (another
 * process committed, or events may have been missed). A policy write's event carries its text
 * and revision (core/changes.ts), taken without a read when newer than what is held.
 */
export class PolicySnapshot {
  private byHost = new Map<string, HostEntry>()
  /** domain id → its hostnames, so one domain's entries can be replaced without a scan. */
  private byDomain = new Map<string, string[]>()
  private policies = 0
  private running: Promise<void> | null = null
  private again = false
  /**
   * Events that arrived while a full reload was reading: its map was read before some of them,
   * so each is applied again once the map is swapped in (else a certificate issued during the
   * start-up load stayed unserved until the next reload).
   */
  private missed: Change[] | null = null
  private readonly inFlight = new Set<Promise<void>>()

  constructor(
    private readonly source: SnapshotSource,
    private readonly log: Logger,
    /** Names served besides customer hosts (the service host), for their certificates. */
    private readonly extraHosts: string[] = [],
  ) {}

  /** The policy served on `hostname`, if any. */
  lookup(hostname: string): ServedBody | undefined {
    return this.byHost.get(hostname)?.policy
  }

  /** The domain whose logos `hostname` serves, when it is a logo host. */
  logoDomainOf(hostname: string): string | null {
    return this.byHost.get(hostname)?.logoDomain ?? null
  }

  /** undefined: a name we do not answer for; null: ours, but no certificate yet. */
  certSerial(hostname: string): string | null | undefined {
    return this.byHost.get(hostname)?.certSerial
  }

  /** Every hostname we answer for. */
  hostnames(): string[] {
    return [...this.byHost.keys()]
  }

  /** Number of policies being served (kept up to date, /healthz reads it). */
  get size(): number {
    return this.policies
  }

  /** Reloads everything; concurrent calls coalesce into at most one more reload. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      do {
        this.again = false
        this.missed = []
        const rows = await this.source.hosts(this.extraHosts)
        const next = new Map<string, HostEntry>()
        const index = new Map<string, string[]>()
        const slab = new ByteSlab()
        let policies = 0
        for (const row of rows) {
          // A domain row naming the service host is skipped; its own (extra) row comes last.
          if (row.domainId !== null && this.extraHosts.includes(row.hostname)) continue
          if (row.text !== null) policies++
          next.set(row.hostname, entryOf(row, slab))
          if (row.domainId === null) continue
          const names = index.get(row.domainId)
          if (names) names.push(row.hostname)
          else index.set(row.domainId, [row.hostname])
        }
        this.byHost = next
        this.byDomain = index
        this.policies = policies
        const missed = this.missed
        this.missed = null
        for (const change of missed) await this.applyNow(change)
        this.log.debug('snapshot_refreshed', { hosts: next.size, replayed: missed.length })
      } while (this.again)
    })().finally(() => {
      this.running = null
      this.missed = null
    })
    return this.running
  }

  /**
   * Reloads one domain's hostnames after a change made here: O(its hostnames), not O(all),
   * so API writes stay cheap with 100k domains. A removed domain's names disappear; returns
   * the names that did (their certificates are orphans now).
   */
  async refreshDomain(domainId: string): Promise<string[]> {
    // The service host's entry belongs to no domain: whatever a domain's rows say (an older
    // version let a tenant make it a logo host), no domain change adds or removes it.
    const rows = (await this.source.hostsOfDomain(domainId)).filter(
      (r) => !this.extraHosts.includes(r.hostname),
    )
    const names = rows.map((r) => r.hostname)
    const before = this.byDomain.get(domainId) ?? []
    const held = new Map(before.map((host) => [host, this.byHost.get(host)]))
    for (const host of before) {
      if (this.byHost.get(host)?.policy) this.policies--
      this.byHost.delete(host)
    }
    for (const row of rows) {
      const entry = entryOf(row, single)
      // Read before a newer write whose carried text was taken meanwhile: keep that text.
      const newer = held.get(row.hostname)
      if (newer?.revision != null && row.revision !== null && newer.revision > row.revision) {
        entry.policy = newer.policy
        entry.revision = newer.revision
      }
      if (entry.policy !== undefined) this.policies++
      this.byHost.set(row.hostname, entry)
    }
    if (rows.length > 0) this.byDomain.set(domainId, names)
    else this.byDomain.delete(domainId)
    return before.filter((host) => !names.includes(host))
  }

  /**
   * Takes a policy write's carried text for the domain's policy host, unless what is held is
   * as new (a repeated or stale event). False when nothing is held for the domain (not served
   * yet, or a host of it missing): the caller reads the store instead.
   */
  private takeCarried(domainId: string, carried: CarriedPolicy): boolean {
    const names = this.byDomain.get(domainId)
    if (names === undefined) return false
    let found = false
    for (const host of names) {
      const e = this.byHost.get(host)
      // A logo host never serves the policy.
      if (e === undefined || e.logoDomain !== null) continue
      found = true
      if (e.revision !== null && e.revision >= carried.revision) continue
      if (e.policy === undefined) this.policies++
      const policy = { bytes: single.encode(carried.text) }
      this.byHost.set(host, { ...e, policy, revision: carried.revision })
    }
    return found
  }

  /** A certificate was issued (or dropped) for `hostname` in this process. */
  setCertSerial(hostname: string, serial: string | null): void {
    const e = this.byHost.get(hostname)
    if (e) this.byHost.set(hostname, { ...e, certSerial: serial })
  }

  /**
   * Resolves once every `apply` started so far has finished: a reader that must not run ahead
   * of what is served (the DNS zone, RFC 8461 §8.1) awaits it.
   */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** Whether `hostname` serves exactly `text` now. */
  serves(hostname: string, text: string): boolean {
    const bytes = this.byHost.get(hostname)?.policy?.bytes
    if (bytes === undefined) return false
    // A view over the served bytes (no copy of them), compared with the text's encoding.
    const served = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return served.equals(Buffer.from(text, 'utf8'))
  }

  /**
   * Change feed subscriber (core/changes.ts); idempotent, since it re-reads the store or takes
   * carried text by revision.
   */
  apply(change: Change): Promise<void> {
    // A reconcile during a reload asks for another reload (refresh's `again`), not a replay.
    if (change.type !== 'reconcile') this.missed?.push(change)
    const work = this.applyNow(change)
    this.inFlight.add(work)
    return work.finally(() => this.inFlight.delete(work))
  }

  private async applyNow(change: Change): Promise<void> {
    switch (change.type) {
      case 'domain.changed':
        if (change.policy !== undefined && this.takeCarried(change.domainId, change.policy)) return
        await this.refreshDomain(change.domainId)
        return
      case 'domain.removed':
        await this.refreshDomain(change.domainId)
        return
      case 'certificate.stored':
        this.setCertSerial(change.hostname, change.serial)
        return
      case 'reconcile':
        await this.refresh()
        return
    }
  }
}

function entryOf(row: ServedHost, bytes: Pick<ByteSlab, 'encode'>): HostEntry {
  const policy = row.text === null ? undefined : { bytes: bytes.encode(row.text) }
  return {
    policy,
    revision: policy === undefined ? null : row.revision,
    certSerial: row.certSerial,
    logoDomain: row.role === 'logo' ? row.domain : null,
  }
}
