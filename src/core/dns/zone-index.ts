import { DomainError } from '../errors.js'
import { splitTxt } from './bind.js'
import { LabelTable } from './label-table.js'
import {
  hasBimi,
  mtaStsOf,
  NO_BIMI,
  pack,
  tlsRptOf,
  unpack,
  type StoredEntry,
} from './packed-entry.js'
import { EMPTY_NODE, TxtNode, utf8Length, type ZoneNode } from './zone-node.js'
import type { ZoneDiff, ZoneEntry, ZoneRecord, ZoneSettings } from './zone-types.js'

export type { ZoneNode } from './zone-node.js'

// RFC 1035 §2.3.1 (LDH) for our own labels; BIMI selectors (BIMI §4.2) may also carry '_'.
const ENTRY_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const SELECTOR_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,62})$/
// RFC 1035 §3.3: a <character-string> holds at most 255 octets.
const MAX_STRING_OCTETS = 255
// RFC 1035 §2.3.4: 255 octets on the wire = 253 characters of text without the root dot.
const MAX_NAME_CHARS = 253

/** Lower-case, without the root dot, as zone-types.ts says every name here is. */
function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '')
}

/** One TXT RRset an entry publishes. */
interface Wanted {
  name: string
  /** Distinct values, in the entry's order. */
  values: string[]
}

/**
 * The zone: its fixed names (apex, in-zone nameservers) as records, and per delegated domain only
 * its entry — the records at `<label>._mta-sts`, `<label>._smtp._tls` and
 * `<selector>.<label>._bimi` are made when asked for. A lookup is one Map get on the label.
 */
export class ZoneIndex {
  readonly settings: ZoneSettings
  private currentSerial: number
  private soaRecord: ZoneRecord
  private readonly origin: string
  private readonly apex: Map<string, ZoneRecord[]>
  /** The apex and in-zone nameserver names, with their records. */
  private readonly fixed = new Map<string, ZoneNode>()
  /** Empty non-terminals above the nameserver names. */
  private readonly fixedEnts = new Set<string>()
  private readonly entries = new LabelTable()
  private readonly glueRecords: ZoneRecord[] = []
  /** Entries publishing each kind: the ENTs above their names exist while > 0 (RFC 8020). */
  private readonly counts = { mtaSts: 0, tlsRpt: 0, bimi: 0 }
  /** `._mta-sts.<origin>` etc.: what a delegated name ends with after its label. */
  private readonly suffix: { mtaSts: string; tlsRpt: string; bimi: string }
  /** The fixed empty non-terminals above every entry's names. */
  private readonly ent: { mtaSts: string; smtpTls: string; tls: string; bimi: string }

  constructor(settings: ZoneSettings, serial: number) {
    if (settings.nameservers.length === 0) {
      throw new DomainError('VALIDATION', 'the zone needs at least one nameserver')
    }
    this.settings = settings
    this.origin = canonicalName(settings.origin)
    const o = this.origin
    this.ent = {
      mtaSts: `_mta-sts.${o}`,
      smtpTls: `_smtp._tls.${o}`,
      tls: `_tls.${o}`,
      bimi: `_bimi.${o}`,
    }
    this.suffix = { mtaSts: `._mta-sts.${o}`, tlsRpt: `._smtp._tls.${o}`, bimi: `._bimi.${o}` }
    this.currentSerial = serial
    this.soaRecord = this.makeSoa()
    const nameservers = settings.nameservers.map(canonicalName)
    // RFC 1035 §6.1: the apex holds the SOA and the zone's NS RRset.
    this.apex = new Map<string, ZoneRecord[]>([
      ['SOA', [this.soaRecord]],
      ['NS', nameservers.map((ns) => this.record(o, 'NS', ns))],
    ])
    this.fixed.set(o, this.apex)
    for (const [rawName, addresses] of Object.entries(settings.nameserverAddresses)) {
      const name = canonicalName(rawName)
      // Out-of-zone addresses are the parent's or another zone's business, never ours to serve.
      if (!this.contains(name) || addresses.length === 0) continue
      const node = name === o ? this.apex : new Map<string, ZoneRecord[]>()
      for (const address of addresses) {
        const type = address.includes(':') ? 'AAAA' : 'A'
        const rrset = node.get(type) ?? []
        rrset.push(this.record(name, type, address))
        node.set(type, rrset)
      }
      if (node === this.apex) continue
      this.fixed.set(name, node)
      for (const ancestor of this.ancestors(name)) this.fixedEnts.add(ancestor)
    }
    // RFC 1034 §4.3.2 step 3b: glue for in-zone NS targets goes in the additional section.
    for (const ns of nameservers) {
      const node = this.fixed.get(ns)
      this.glueRecords.push(...(node?.get('A') ?? []), ...(node?.get('AAAA') ?? []))
    }
  }

  get serial(): number {
    return this.currentSerial
  }

  set serial(serial: number) {
    this.currentSerial = serial
    this.soaRecord = this.makeSoa()
    this.apex.set('SOA', [this.soaRecord])
  }

  /** How many delegated domains the zone holds. */
  get size(): number {
    return this.entries.size
  }

  /** The stored entry for a label. */
  entry(label: string): ZoneEntry | undefined {
    const stored = this.entries.get(label)
    return stored === undefined ? undefined : unpack(stored)
  }

  /** The SOA record at the current serial (RFC 1035 §3.3.13). */
  soa(): ZoneRecord {
    return this.soaRecord
  }

  /** A/AAAA records of in-zone NS targets, in NS order: the additionals of an apex NS answer. */
  glue(): readonly ZoneRecord[] {
    return this.glueRecords
  }

  /**
   * The RRsets at `name` (lower-case, no trailing dot): an empty map for an empty non-terminal,
   * undefined when the name does not exist (RFC 8020: NXDOMAIN means nothing below it either).
   */
  node(name: string): ZoneNode | undefined {
    const fixed = this.fixed.get(name)
    if (fixed !== undefined) return fixed
    if (this.fixedEnts.has(name)) return EMPTY_NODE
    const { suffix, ent, counts } = this
    if (name.endsWith(suffix.mtaSts)) {
      const stored = this.entries.at(name, 0, name.length - suffix.mtaSts.length)
      const value = stored === undefined ? null : mtaStsOf(stored)
      return value === null ? undefined : this.txtNode(name, [value])
    }
    if (name.endsWith(suffix.tlsRpt)) {
      const stored = this.entries.at(name, 0, name.length - suffix.tlsRpt.length)
      const value = stored === undefined ? null : tlsRptOf(stored)
      return value === null ? undefined : this.txtNode(name, [value])
    }
    if (name.endsWith(suffix.bimi)) return this.bimiNode(name)
    if (name === ent.mtaSts) return counts.mtaSts > 0 ? EMPTY_NODE : undefined
    if (name === ent.smtpTls || name === ent.tls) return counts.tlsRpt > 0 ? EMPTY_NODE : undefined
    if (name === ent.bimi) return counts.bimi > 0 ? EMPTY_NODE : undefined
    return undefined
  }

  /** Every record, SOA first and once (RFC 5936 §2.2 adds the closing SOA at the transfer). */
  all(): ZoneRecord[] {
    const out: ZoneRecord[] = [this.soaRecord]
    for (const node of this.fixed.values()) {
      node.forEach((rrset, type) => {
        if (type !== 'SOA') for (const record of rrset) out.push(record)
      })
    }
    for (const stored of this.entries.values()) {
      for (const w of this.wanted(unpack(stored))) {
        for (const value of w.values) out.push(this.txtRecord(w.name, value))
      }
    }
    return out
  }

  /**
   * Adds entries whose labels are new, without building a diff: the zone's initial load (100k
   * entries) would otherwise make and drop a record object per name. Checked as `put` checks.
   * Each is kept packed (packed-entry.ts), so the caller's objects become garbage at once.
   */
  load(entries: Iterable<ZoneEntry>): void {
    for (const entry of entries) {
      this.wanted(entry)
      if (this.entries.get(entry.label) !== undefined)
        throw new DomainError('CONFLICT', `label ${entry.label} twice`)
      this.entries.set(toStored(entry))
      this.count(entry, 1)
    }
  }

  /** Adds or replaces the entry with this label; returns the records that left and came. */
  put(entry: ZoneEntry): ZoneDiff {
    const after = this.wanted(entry)
    const stored = this.entries.get(entry.label)
    const old = stored === undefined ? undefined : unpack(stored)
    const before = old === undefined ? [] : this.wanted(old)
    const diff: ZoneDiff = {
      removed: this.missing(before, after),
      added: this.missing(after, before),
    }
    if (old !== undefined) this.count(old, -1)
    this.entries.set(toStored(entry))
    this.count(entry, 1)
    return diff
  }

  /** Removes the entry with this label; returns its records as removed. */
  remove(label: string): ZoneDiff {
    const stored = this.entries.get(label)
    if (stored === undefined) return { removed: [], added: [] }
    const old = unpack(stored)
    const removed = this.missing(this.wanted(old), [])
    this.count(old, -1)
    this.entries.delete(label)
    return { removed, added: [] }
  }

  /** Records of `from` whose value `to` does not have at the same name. */
  private missing(from: Wanted[], to: Wanted[]): ZoneRecord[] {
    const out: ZoneRecord[] = []
    for (const w of from) {
      const other = to.find((x) => x.name === w.name)?.values
      for (const value of w.values) {
        if (!other?.includes(value)) out.push(this.txtRecord(w.name, value))
      }
    }
    return out
  }

  private count(entry: ZoneEntry, delta: number): void {
    if (entry.mtaSts !== null) this.counts.mtaSts += delta
    if (entry.tlsRpt !== null) this.counts.tlsRpt += delta
    if (entry.bimi.length > 0) this.counts.bimi += delta
  }

  /** `<selector>.<label>._bimi.<origin>` or one of the empty non-terminals above it. */
  private bimiNode(name: string): ZoneNode | undefined {
    const rest = name.slice(0, -this.suffix.bimi.length)
    const dot = rest.lastIndexOf('.')
    const stored = this.entries.at(rest, dot + 1, rest.length)
    if (stored === undefined || !hasBimi(stored)) return undefined
    if (dot < 0) return EMPTY_NODE
    const entry = unpack(stored)
    const selector = rest.slice(0, dot)
    const values: string[] = []
    let below = false
    for (const b of entry.bimi) {
      if (b.selector === selector) {
        // RFC 2181 §5: an RRset holds no duplicate records.
        if (!values.includes(b.value)) values.push(b.value)
      } else if (b.selector.endsWith(`.${selector}`)) below = true
    }
    if (values.length > 0) return this.txtNode(name, values)
    return below ? EMPTY_NODE : undefined
  }

  /** The entry's TXT RRsets: names, distinct values, and the names between each and the apex. */
  private wanted(entry: ZoneEntry): Wanted[] {
    const { label } = entry
    if (!ENTRY_LABEL.test(label)) {
      // Checked before anything changes, so a bad entry leaves the zone as it was.
      throw new DomainError('VALIDATION', `not a zone label: ${JSON.stringify(label)}`)
    }
    const out: Wanted[] = []
    const origin = this.origin
    // RFC 8461 §3.1 and RFC 8460 §3: the names customers CNAME their own records to.
    if (entry.mtaSts !== null) {
      out.push({
        name: `${label}._mta-sts.${origin}`,
        values: [entry.mtaSts],
      })
    }
    if (entry.tlsRpt !== null) {
      out.push({
        name: `${label}._smtp._tls.${origin}`,
        values: [entry.tlsRpt],
      })
    }
    // One string for all selectors, and none when there are none (most domains, 100k of them).
    const labelBimi = entry.bimi.length === 0 ? '' : `${label}._bimi.${origin}`
    for (const { selector, value } of entry.bimi) {
      const labels = selector.toLowerCase().split('.')
      if (!labels.every((l) => SELECTOR_LABEL.test(l))) {
        throw new DomainError('VALIDATION', `not a BIMI selector: ${JSON.stringify(selector)}`)
      }
      const name = `${labels.join('.')}.${labelBimi}`
      const same = out.find((w) => w.name === name)
      // RFC 2181 §5: an RRset holds no duplicate records.
      if (same !== undefined) {
        if (!same.values.includes(value)) same.values.push(value)
        continue
      }
      // BIMI §5.4: a selector may have several labels; each one between is an ENT (bimiNode).
      out.push({ name, values: [value] })
    }
    for (const { name } of out) {
      if (name.length > MAX_NAME_CHARS) {
        throw new DomainError('VALIDATION', `name longer than 253 characters: ${name}`)
      }
    }
    return out
  }

  /** The names strictly between `name` and the apex. */
  private ancestors(name: string): string[] {
    const out: string[] = []
    for (let p = name.indexOf('.'); p >= 0; p = name.indexOf('.', p + 1)) {
      if (name.length - p - 1 <= this.origin.length) break
      out.push(name.slice(p + 1))
    }
    return out
  }

  private contains(name: string): boolean {
    return name === this.origin || name.endsWith(`.${this.origin}`)
  }

  private makeSoa(): ZoneRecord {
    const s = this.settings
    return {
      name: this.origin,
      type: 'SOA',
      class: 'IN',
      ttl: s.ttl,
      data: {
        mname: canonicalName(s.nameservers[0] as string),
        rname: canonicalName(s.hostmaster),
        serial: this.currentSerial,
        refresh: s.refresh,
        retry: s.retry,
        expire: s.expire,
        minimum: s.minimum,
      },
    }
  }

  private record(name: string, type: 'NS' | 'A' | 'AAAA', data: string): ZoneRecord {
    return { name, type, class: 'IN', ttl: this.settings.ttl, data }
  }

  private txtNode(name: string, values: string[]): TxtNode {
    return new TxtNode(values.map((value) => this.txtRecord(name, value)))
  }

  private txtRecord(name: string, value: string): ZoneRecord {
    // RFC 1035 §3.3.14: TXT-DATA is <character-string>s of at most 255 octets each (UTF-8 on
    // the wire). Kept as strings, the entry's own: a Buffer per record cost 100k domains ~60 MB.
    const data = utf8Length(value) <= MAX_STRING_OCTETS ? [value] : splitTxt(value)
    return { name, type: 'TXT', class: 'IN', ttl: this.settings.ttl, data }
  }
}

/**
 * What the index keeps for `e`: packed (packed-entry.ts), or else a copy — never the caller's
 * object, which it may change later (the next diff would then compare it with itself) — with
 * selectors in the lower case lookups use (they are case-insensitive names).
 */
function toStored(e: ZoneEntry): StoredEntry {
  const bimi =
    e.bimi.length === 0
      ? NO_BIMI
      : e.bimi.map(({ selector, value }) => ({ selector: selector.toLowerCase(), value }))
  return pack({ label: e.label, mtaSts: e.mtaSts, tlsRpt: e.tlsRpt, bimi })
}
