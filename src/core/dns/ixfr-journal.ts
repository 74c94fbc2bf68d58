import type { ZoneIndex } from './zone-index.js'
import type { ZoneDelta, ZoneRecord } from './zone-types.js'

// RFC 1982 §2: SOA serials are 32-bit sequence-space numbers (SERIAL_BITS = 32).
const SERIAL_SPACE = 2 ** 32
const HALF_SPACE = 2 ** 31

/**
 * Records the journal keeps at most, over all its deltas: an IXFR larger than this costs about as
 * much as the AXFR a secondary falls back to, and the bound keeps memory flat under churn.
 */
const MAX_JOURNAL_RECORDS = 100_000

/**
 * The serial after `n` (RFC 1982 §3.1: add 1 modulo 2^32). It skips 0, so that 0 can mean "no
 * serial yet" in storage and in the journal: going from 2^32-1 to 1 adds 2, still well within
 * the 2^31-1 that §3.1 allows, so secondaries see it as an increase.
 */
export function serialNext(n: number): number {
  const next = (n + 1) % SERIAL_SPACE
  return next === 0 ? 1 : next
}

/** Whether serial `a` is greater than `b` in RFC 1982 §3.2 sequence-space order. */
export function serialGreater(a: number, b: number): boolean {
  // §3.2: exactly half the space apart is undefined; we call it "not greater" either way.
  return (a < b && b - a > HALF_SPACE) || (a > b && a - b < HALF_SPACE)
}

/** The SOA as it was at `serial`: the current one with that serial (no other field changes). */
function soaAt(zone: ZoneIndex, serial: number): ZoneRecord {
  const soa = zone.soa()
  if (soa.type !== 'SOA' || soa.data.serial === serial) return soa
  return { ...soa, data: { ...soa.data, serial } }
}

/** A full transfer's records: SOA, every other record, SOA again (RFC 5936 §2.2). */
export function axfrRecords(zone: ZoneIndex): ZoneRecord[] {
  const records = zone.all()
  records.push(zone.soa())
  return records
}

/**
 * An incremental transfer's records (RFC 1995 §4): the current SOA, then for each delta the old
 * SOA, the records removed, the new SOA and the records added, then the current SOA again. With
 * no deltas (the secondary is current) the answer is the current SOA alone (RFC 1995 §2).
 */
export function ixfrRecords(zone: ZoneIndex, deltas: ZoneDelta[]): ZoneRecord[] {
  const current = zone.soa()
  if (deltas.length === 0) return [current]
  const records: ZoneRecord[] = [current]
  for (const delta of deltas) {
    records.push(soaAt(zone, delta.fromSerial), ...delta.removed)
    records.push(soaAt(zone, delta.toSerial), ...delta.added)
  }
  records.push(current)
  return records
}

/** The recent zone changes, as a chain of deltas a secondary can follow with IXFR (RFC 1995). */
export class IxfrJournal {
  private readonly maxDeltas: number
  private deltas: ZoneDelta[] = []
  private records = 0
  /** The newest serial the chain reaches; 0 = none yet (serialNext never yields 0). */
  private newest = 0

  constructor(maxDeltas: number) {
    this.maxDeltas = maxDeltas
  }

  /** Appends a delta; one that does not start where the chain ends starts a new chain. */
  record(delta: ZoneDelta): void {
    if (this.newest !== 0 && delta.fromSerial !== this.newest) this.clear()
    this.deltas.push(delta)
    this.records += delta.removed.length + delta.added.length
    this.newest = delta.toSerial
    // Oldest first: a secondary that far behind takes an AXFR instead (RFC 1995 §2 allows it).
    while (
      this.deltas.length > 0 &&
      (this.deltas.length > this.maxDeltas || this.records > MAX_JOURNAL_RECORDS)
    ) {
      const dropped = this.deltas.shift() as ZoneDelta
      this.records -= dropped.removed.length + dropped.added.length
    }
  }

  /**
   * The deltas from `serial` to the newest: [] when `serial` is the newest, null when the journal
   * cannot bridge it (unknown, dropped as too old, or before a gap) and an AXFR must do.
   */
  since(serial: number): ZoneDelta[] | null {
    if (this.newest !== 0 && serial === this.newest) return []
    const at = this.deltas.findIndex((d) => d.fromSerial === serial)
    return at < 0 ? null : this.deltas.slice(at)
  }

  /** Forgets every delta (e.g. after a full reload of the zone). */
  clear(): void {
    this.deltas = []
    this.records = 0
    this.newest = 0
  }
}
