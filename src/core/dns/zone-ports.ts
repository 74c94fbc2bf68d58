/**
 * The store side of the delegated zone (issue 12): what the zone serves per domain, its
 * version, and which serving instances already serve a domain's new policy.
 *
 * Contract (the SQLite adapter keeps it; a PostgreSQL one must too):
 * - **One version for the zone.** Every write of an entry bumps the zone's version in the same
 *   transaction and stamps the row with it; the SOA serial derives from the version. So an
 *   instance holding version V catches up exactly with `since(V)`, removals included
 *   (a removed entry stays as a tombstone, `entry` null).
 * - **Compare-and-set.** `write` succeeds only when the row is still at the version the caller
 *   read (null: no row), so two instances deciding at once cannot both move the zone; the loser
 *   gets null and re-reads.
 * - **Liveness is by heartbeat.** An instance is live while its `seenAt` is newer than the
 *   caller's `liveSince`; `ackedByAll` only counts live instances, so a dead instance delays a
 *   change by at most the liveness window. A caller re-checks after its own heartbeat.
 * - **Acks are per instance and domain**, the latest policy id that instance serves for it;
 *   they matter only while a change is in flight and are dropped with the instance.
 */
import type { AuditEntry, DnsMode } from '../ports.js'
import type { ZoneEntry } from './zone-types.js'

export interface StoredZoneEntry {
  domainId: string
  label: string
  /** null: a tombstone (the domain left the zone at `version`). */
  entry: ZoneEntry | null
  /** The policy id `entry.mtaSts` announces, or null. */
  stsId: string | null
  version: number
}

export interface ZoneRepo {
  /** The zone's current version; creates the zone at `initial` when it has none yet. */
  version(initial: number): Promise<number>
  /**
   * Up to `limit` live entries (no tombstones) of domains after `after` in id order (`''`: from
   * the first); `next` is null after the last page. Pages are separate reads, so a page may
   * hold writes newer than the version read before the first: a caller that wants the zone at
   * one version reads `version()` first, pages, then applies `since()` of that version
   * (idempotent: a later write replaces an entry, a tombstone removes it).
   */
  loadPage(
    after: string,
    limit: number,
  ): Promise<{ entries: StoredZoneEntry[]; next: string | null }>
  /** Entries and tombstones written after `version`, and the current version, in one read. */
  since(version: number): Promise<{ version: number; entries: StoredZoneEntry[] }>
  /** The stored row of one domain (a tombstone included), or null. */
  entry(domainId: string): Promise<StoredZoneEntry | null>
  /**
   * Writes the domain's entry (null: tombstone) iff its row is still at `expected` (null: no
   * row); bumps the zone version in the same transaction. Returns the new version, or null when
   * the row moved meanwhile (nothing written).
   */
  write(
    domainId: string,
    next: { label: string; entry: ZoneEntry | null; stsId: string | null },
    expected: number | null,
    now: Date,
  ): Promise<number | null>
  /** Sets the domain's DNS mode, and its label when it gets one; CONFLICT when the label is taken. */
  setMode(domainId: string, mode: DnsMode, label: string | null, audit: AuditEntry): Promise<void>
  /** Marks the instance alive at `now` (creating it). */
  heartbeat(instanceId: string, now: Date): Promise<void>
  /** Removes the instance (clean shutdown) with its acks. */
  leave(instanceId: string): Promise<void>
  /** Records that the instance serves `policyId` for the domain. */
  ack(instanceId: string, domainId: string, policyId: string, now: Date): Promise<void>
  /** Live instances (seen at or after `liveSince`) that do not yet serve `policyId`. */
  notAcked(domainId: string, policyId: string, liveSince: Date): Promise<string[]>
  /** Marks the domain's zone entry as waiting (a change not yet served everywhere). */
  markPending(domainId: string, now: Date): Promise<void>
  /** The domain's entry caught up: no longer waiting. Writes nothing when it was not marked. */
  clearPending(domainId: string): Promise<void>
  /** Up to `limit` domains marked waiting, oldest first: what ticks and reconciles retry. */
  pending(limit: number): Promise<string[]>
  /**
   * The full comparison, a page at a time (domain ids after `after`, in id order): delegated
   * live domains whose entry is missing or announces another policy id, and entries of domains
   * that left delegation or are gone. Run once at start, for what no event reported (a crash
   * between a write and its zone sync); `next` is null after the last page.
   */
  scan(after: string, limit: number): Promise<{ ids: string[]; next: string | null }>
}
