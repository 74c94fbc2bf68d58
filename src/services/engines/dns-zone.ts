import type { Change } from '../../core/changes.js'
import { IxfrJournal, serialNext } from '../../core/dns/ixfr-journal.js'
import { ZoneIndex } from '../../core/dns/zone-index.js'
import type { ZoneDiff, ZoneSettings } from '../../core/dns/zone-types.js'
import type { Logger } from '../../core/ports.js'
import {
  HEARTBEAT_MS,
  syncZoneEntry,
  zoneDomainOf,
  type ZoneSyncContext,
  type ZoneSyncOutcome,
} from '../dns/zone-sync.js'

/** Deltas kept for IXFR; an older secondary gets the whole zone (RFC 1995 §4). */
const JOURNAL_DELTAS = 1_000
/** Domains brought up to date per reconcile or tick; the rest follow on the next one. */
const PENDING_BATCH = 500
/**
 * Entries read per page at start, ~3 ms of the loop each: a request arriving meanwhile takes
 * several turns of the loop (accept, handshake, certificate read, reply), each waiting for at
 * most one page; 2,000 a page cost the first policy served ~0.3 s (`npm run bench`, row 4d).
 */
const LOAD_PAGE = 500

export interface DnsZoneOptions {
  settings: ZoneSettings
  sync: ZoneSyncContext
  log: Logger
  /**
   * Resolves once this process's policy snapshot has applied every event published so far, so
   * the zone's ids never run ahead of what this instance serves (RFC 8461 §8.1).
   */
  snapshotSettled: () => Promise<void>
  /** Tells the secondaries (DNS_SECONDARIES) that the serial moved (RFC 1996). */
  notify: (zone: ZoneIndex) => Promise<void>
  /** Entries brought forward per pending query (default PENDING_BATCH). */
  pendingBatch?: number
}

/** The zone's version (monotonic in the store) as an SOA serial (RFC 1982, never 0). */
export function serialOf(version: number): number {
  return serialNext(version - 1)
}

/**
 * The delegated zone in memory, answered from by the DNS server without touching the store.
 * A change-feed subscriber: a domain's events bring its zone entry up to date
 * (services/dns/zone-sync.ts, which writes and so publishes `zone.changed`); `zone.changed` and
 * `reconcile` make this instance catch up with the store's zone by version — so every
 * instance serves the same serial with the same records — and then tell the secondaries.
 */
export class DnsZone {
  private index: ZoneIndex
  readonly journal = new IxfrJournal(JOURNAL_DELTAS)
  private version = 0
  private catching: Promise<void> = Promise.resolve()
  private backlog: Promise<void> = Promise.resolve()
  private stopping = false
  private isLoaded = false
  private starting: Promise<void> = Promise.resolve()
  /** Resolves once start() has loaded the zone: events that arrive before wait for it. */
  private loaded: Promise<void>
  private markLoaded: () => void = () => {}
  private lastBeat = 0

  constructor(private readonly opts: DnsZoneOptions) {
    this.index = new ZoneIndex(opts.settings, 1)
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve))
  }

  /** The zone as served now. */
  zone(): ZoneIndex {
    return this.index
  }

  /** The zone once start() has loaded it; null before (the server answers SERVFAIL). */
  loadedZone(): ZoneIndex | null {
    return this.isLoaded ? this.index : null
  }

  /** Registers this instance, loads the zone and brings in-flight changes forward. */
  async start(now: Date): Promise<void> {
    const repo = this.opts.sync.deps.repos.zone
    await repo.heartbeat(this.opts.sync.instanceId, now)
    this.lastBeat = now.getTime()
    // A new zone starts at the Unix time, so a rebuilt database still hands secondaries a
    // serial above the one they hold.
    const from = await repo.version(Math.floor(now.getTime() / 1000))
    const index = new ZoneIndex(this.opts.settings, 1)
    // A page at a time, yielding between pages: 100k entries read in one go held the loop for
    // ~0.8 s just as the first policies were asked for (`npm run bench`, row 4d).
    for (let after: string | null = ''; after !== null && !this.stopping;) {
      const page: Awaited<ReturnType<typeof repo.loadPage>> = await repo.loadPage(after, LOAD_PAGE)
      for (const { domainId, entry } of page.entries) {
        if (entry) this.guarded(domainId, () => index.load([entry]))
      }
      after = page.next
      await new Promise((resolve) => setImmediate(resolve))
    }
    // Writes made while paging may be in some pages and not others; applying everything after
    // the version read first leaves the index as the store is now (zone-ports.ts, loadPage).
    // Not journalled: no one was served the in-between state.
    if (this.stopping) {
      // Shutting down mid-load: events waiting for the load give up (apply) instead of hanging.
      this.markLoaded()
      return
    }
    const { version, entries } = await repo.since(from)
    for (const row of entries) {
      const entry = row.entry
      this.guarded(row.domainId, () => (entry ? index.put(entry) : index.remove(row.label)))
    }
    index.serial = serialOf(version)
    this.index = index
    this.version = version
    this.isLoaded = true
    this.markLoaded()
    this.opts.log.info('dns_zone_loaded', { entries: index.size, serial: index.serial })
    // In the background, a page at a time: what no event reported (domains delegated while no
    // server ran, a crash between a write and its sync) must not hold start-up or serving.
    this.backlog = this.scanAll().catch((err: unknown) =>
      this.opts.log.error('dns_zone_sync_failed', { error: (err as Error).message }),
    )
  }

  /** Resolves when the start-up backlog has been worked through (tests, shutdown). */
  settled(): Promise<void> {
    return this.backlog
  }

  /**
   * Change-feed subscriber (core/changes.ts); idempotent. Subscribe before start(): an event
   * that comes while the zone loads waits for the load, then catches up from its version.
   */
  async apply(change: Change): Promise<void> {
    await this.loaded
    if (!this.isLoaded) return
    const domainId = zoneDomainOf(change)
    if (domainId !== null) {
      await this.opts.snapshotSettled()
      await syncZoneEntry(this.opts.sync, domainId)
      return
    }
    switch (change.type) {
      case 'zone.changed':
        if (change.version > this.version) await this.catchUp()
        return
      case 'reconcile':
        await this.opts.snapshotSettled()
        await this.catchUp()
        await this.syncPending()
        return
    }
  }

  /**
   * Periodic: a heartbeat when one is due (HEARTBEAT_MS), then changes waiting for other
   * instances (one may have died) are retried; a tick that finds nothing to do writes nothing.
   */
  async tick(now: Date): Promise<void> {
    if (now.getTime() - this.lastBeat >= HEARTBEAT_MS) {
      await this.opts.sync.deps.repos.zone.heartbeat(this.opts.sync.instanceId, now)
      this.lastBeat = now.getTime()
    }
    await this.syncPending()
  }

  /**
   * start() in the background: a 100k-entry zone takes ~0.5 s to read, which must not delay the
   * first policy served. Errors are logged; the zone then stays unloaded (SERVFAIL).
   */
  startInBackground(now: Date): void {
    this.starting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.start(now))
      .catch((err: unknown) => {
        this.opts.log.error('dns_zone_load_failed', { error: (err as Error).message })
        // Events waiting for the load return (apply) rather than pile up behind it.
        this.markLoaded()
      })
  }

  /** Resolves once a background start has finished (loaded or failed). */
  started(): Promise<void> {
    return this.starting
  }

  /** Clean shutdown: other instances stop waiting for this one at once. */
  async leave(): Promise<void> {
    this.stopping = true
    await this.starting
    await this.backlog
    await this.opts.sync.deps.repos.zone.leave(this.opts.sync.instanceId)
  }

  /**
   * Retries the changes marked waiting (an indexed read, cheap enough for every tick and
   * reconcile), a batch at a time until a batch changes nothing — the rest wait for other
   * instances. The store is synchronous (SQLite): yielding between entries keeps serving.
   */
  private async syncPending(): Promise<void> {
    const repo = this.opts.sync.deps.repos.zone
    const size = this.opts.pendingBatch ?? PENDING_BATCH
    while (!this.stopping) {
      const batch = await repo.pending(size)
      let changed = 0
      for (const domainId of batch) {
        if (this.stopping) return
        if ((await this.syncOne(domainId)) === 'changed') changed++
      }
      if (batch.length < size || changed === 0) return
    }
  }

  /** Compares every domain with its entry, a page at a time (start-up; see ZoneRepo.scan). */
  private async scanAll(): Promise<void> {
    const repo = this.opts.sync.deps.repos.zone
    const size = this.opts.pendingBatch ?? PENDING_BATCH
    for (let after: string | null = ''; after !== null && !this.stopping;) {
      const page: { ids: string[]; next: string | null } = await repo.scan(after, size)
      for (const domainId of page.ids) {
        if (this.stopping) return
        await this.syncOne(domainId)
      }
      after = page.next
      await new Promise((resolve) => setImmediate(resolve))
    }
    await this.syncPending()
  }

  private async syncOne(domainId: string): Promise<ZoneSyncOutcome['result']> {
    const { result } = await syncZoneEntry(this.opts.sync, domainId)
    await new Promise((resolve) => setImmediate(resolve))
    return result
  }

  /**
   * One entry into the index: a stored entry the index refuses (it checks labels and names) is
   * logged and left out, so it cannot stop the rest of the zone from loading or moving on.
   */
  private guarded<T>(domainId: string, fn: () => T): T | undefined {
    try {
      return fn()
    } catch (err) {
      this.opts.log.error('dns_zone_entry_rejected', { domainId, error: (err as Error).message })
      return undefined
    }
  }

  /** Applies the store's writes after our version, one at a time (calls queue up). */
  private catchUp(): Promise<void> {
    this.catching = this.catching.then(() => this.catchUpNow())
    return this.catching
  }

  private async catchUpNow(): Promise<void> {
    const { version, entries } = await this.opts.sync.deps.repos.zone.since(this.version)
    if (version <= this.version) return
    const diff: ZoneDiff = { removed: [], added: [] }
    for (const row of entries) {
      const entry = row.entry
      const step = this.guarded(row.domainId, () =>
        entry ? this.index.put(entry) : this.index.remove(row.label),
      )
      diff.removed.push(...(step?.removed ?? []))
      diff.added.push(...(step?.added ?? []))
    }
    const fromSerial = this.index.serial
    const toSerial = serialOf(version)
    this.index.serial = toSerial
    this.version = version
    // One delta for the whole catch-up: an IXFR client needs the net change, not each step.
    this.journal.record({ fromSerial, toSerial, ...diff })
    this.opts.log.debug('dns_zone_changed', { serial: toSerial, entries: entries.length })
    void this.opts
      .notify(this.index)
      .catch((err: unknown) =>
        this.opts.log.warn('dns_notify_failed', { error: (err as Error).message }),
      )
  }
}
