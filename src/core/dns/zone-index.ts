import { DomainError } from '../errors.js'
import { splitTxt } from './bind.js'
import type { ZoneDiff, ZoneEntry, ZoneRecord, ZoneSettings } from './zone-types.js'

/** The RRsets at one name, keyed by type name ('TXT', 'SOA', 'NS', 'A', 'AAAA'). */
export type ZoneNode = ReadonlyMap<string, ZoneRecord[]>

// RFC 8020 §2: an empty non-terminal exists (NODATA), so it is a node with no RRsets.
const EMPTY_NODE: ZoneNode = new Map()

/**
 * A name holding one TXT RRset: one small object instead of a Map per name, because the zone has
 * two or three such names per delegated domain (100k domains ≈ 300k names).
 */
class TxtNode implements ZoneNode {
  constructor(readonly rrset: ZoneRecord[]) {}
  get size(): number {
    return 1
  }
  get(type: string): ZoneRecord[] | undefined {
    return type === 'TXT' ? this.rrset : undefined
  }
  has(type: string): boolean {
    return type === 'TXT'
  }
  forEach(fn: (value: ZoneRecord[], key: string, map: ZoneNode) => void, thisArg?: unknown): void {
    fn.call(thisArg, this.rrset, 'TXT', this)
  }
  // Iteration is for tests and tools, not the query path: a throwaway Map is simplest.
  entries(): MapIterator<[string, ZoneRecord[]]> {
    return new Map([['TXT', this.rrset]]).entries()
  }
  keys(): MapIterator<string> {
    return new Map([['TXT', this.rrset]]).keys()
  }
  values(): MapIterator<ZoneRecord[]> {
    return new Map([['TXT', this.rrset]]).values()
  }
  [Symbol.iterator](): MapIterator<[string, ZoneRecord[]]> {
    return this.entries()
  }
}

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
  /** The names between `name` and the apex: empty non-terminals while `name` exists. */
  above: readonly string[]
}

/** The zone's names and records, kept so that a lookup is one Map get. */
export class ZoneIndex {
  readonly settings: ZoneSettings
  private currentSerial: number
  private soaRecord: ZoneRecord
  private readonly origin: string
  private readonly apex: Map<string, ZoneRecord[]>
  /** Names that hold records. */
  private readonly nodes = new Map<string, ZoneNode>()
  /** Empty non-terminals: how many names with records lie below each (RFC 8020). */
  private readonly ents = new Map<string, number>()
  private readonly entries = new Map<string, ZoneEntry>()
  private readonly glueRecords: ZoneRecord[] = []
  // The fixed empty non-terminals above every entry's names, made once: a Map looks a string up
  // faster when it has hashed that very string object before (100k entries, one string each).
  private readonly aboveMtaSts: readonly string[]
  private readonly aboveTlsRpt: readonly string[]
  private readonly bimiRoot: string

  constructor(settings: ZoneSettings, serial: number) {
    if (settings.nameservers.length === 0) {
      throw new DomainError('VALIDATION', 'the zone needs at least one nameserver')
    }
    this.settings = settings
    this.origin = canonicalName(settings.origin)
    this.aboveMtaSts = [`_mta-sts.${this.origin}`]
    this.aboveTlsRpt = [`_smtp._tls.${this.origin}`, `_tls.${this.origin}`]
    this.bimiRoot = `_bimi.${this.origin}`
    this.currentSerial = serial
    this.soaRecord = this.makeSoa()
    const nameservers = settings.nameservers.map(canonicalName)
    // RFC 1035 §6.1: the apex holds the SOA and the zone's NS RRset.
    this.apex = new Map<string, ZoneRecord[]>([
      ['SOA', [this.soaRecord]],
      ['NS', nameservers.map((ns) => this.record(this.origin, 'NS', ns))],
    ])
    this.addName(this.origin, this.apex, [])
    for (const [rawName, addresses] of Object.entries(settings.nameserverAddresses)) {
      const name = canonicalName(rawName)
      // Out-of-zone addresses are the parent's or another zone's business, never ours to serve.
      if (!this.contains(name) || addresses.length === 0) continue
      const node = name === this.origin ? this.apex : new Map<string, ZoneRecord[]>()
      for (const address of addresses) {
        const type = address.includes(':') ? 'AAAA' : 'A'
        const rrset = node.get(type) ?? []
        rrset.push(this.record(name, type, address))
        node.set(type, rrset)
      }
      if (node !== this.apex) this.addName(name, node, this.ancestors(name))
    }
    // RFC 1034 §4.3.2 step 3b: glue for in-zone NS targets goes in the additional section.
    for (const ns of nameservers) {
      const node = this.nodes.get(ns)
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
    return this.entries.get(label)
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
    return this.nodes.get(name) ?? (this.ents.has(name) ? EMPTY_NODE : undefined)
  }

  /** Every record, SOA first and once (RFC 5936 §2.2 adds the closing SOA at the transfer). */
  all(): ZoneRecord[] {
    const out: ZoneRecord[] = [this.soaRecord]
    for (const node of this.nodes.values()) {
      node.forEach((rrset, type) => {
        if (type !== 'SOA') for (const record of rrset) out.push(record)
      })
    }
    return out
  }

  /** Adds or replaces the entry with this label; returns the records that left and came. */
  put(entry: ZoneEntry): ZoneDiff {
    const after = this.wanted(entry)
    const old = this.entries.get(entry.label)
    const diff: ZoneDiff = { removed: [], added: [] }
    // A copy: were the caller to change its object later, the next diff would compare it with
    // itself and miss the change.
    this.entries.set(entry.label, copyEntry(entry))
    if (old === undefined) {
      // The common case (building the zone): no old records to compare with.
      for (const w of after) this.addName(w.name, this.txtNode(w.name, w.values, diff), w.above)
      return diff
    }
    const before = this.wanted(old)
    for (const { name, values: oldValues, above } of before) {
      const newValues = after.find((w) => w.name === name)?.values
      const node = this.nodes.get(name) as TxtNode
      if (newValues === undefined) {
        diff.removed.push(...node.rrset)
        this.dropName(name, above)
      } else if (!sameValues(oldValues, newValues)) {
        // Records whose value stays are kept (same objects), so a diff lists only real changes.
        const rrset = newValues.map((value) => {
          const at = oldValues.indexOf(value)
          if (at >= 0) return node.rrset[at] as ZoneRecord
          const record = this.txtRecord(name, value)
          diff.added.push(record)
          return record
        })
        oldValues.forEach((value, i) => {
          if (!newValues.includes(value)) diff.removed.push(node.rrset[i] as ZoneRecord)
        })
        this.nodes.set(name, new TxtNode(rrset))
      }
    }
    for (const w of after) {
      if (before.some((b) => b.name === w.name)) continue
      this.addName(w.name, this.txtNode(w.name, w.values, diff), w.above)
    }
    return diff
  }

  /** Removes the entry with this label; returns its records as removed. */
  remove(label: string): ZoneDiff {
    const old = this.entries.get(label)
    const diff: ZoneDiff = { removed: [], added: [] }
    if (old === undefined) return diff
    for (const { name, above } of this.wanted(old)) {
      diff.removed.push(...(this.nodes.get(name) as TxtNode).rrset)
      this.dropName(name, above)
    }
    this.entries.delete(label)
    return diff
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
        above: this.aboveMtaSts,
      })
    }
    if (entry.tlsRpt !== null) {
      out.push({
        name: `${label}._smtp._tls.${origin}`,
        values: [entry.tlsRpt],
        above: this.aboveTlsRpt,
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
      // BIMI §5.4: a selector may have several labels; each one between is an ENT too.
      const above = labels.slice(1).map((_, i) => `${labels.slice(i + 1).join('.')}.${labelBimi}`)
      out.push({ name, values: [value], above: [...above, labelBimi, this.bimiRoot] })
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

  /** Stores a name with records and counts it in each name above it (RFC 8020 ENTs). */
  private addName(name: string, node: ZoneNode, above: readonly string[]): void {
    this.nodes.set(name, node)
    for (const ancestor of above) this.ents.set(ancestor, (this.ents.get(ancestor) ?? 0) + 1)
  }

  /** Drops a name and its count above, so an ENT with nothing left below stops existing. */
  private dropName(name: string, above: readonly string[]): void {
    this.nodes.delete(name)
    for (const ancestor of above) {
      const count = (this.ents.get(ancestor) ?? 0) - 1
      if (count > 0) this.ents.set(ancestor, count)
      else this.ents.delete(ancestor)
    }
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

  private txtNode(name: string, values: string[], diff: ZoneDiff): TxtNode {
    const rrset = values.map((value) => this.txtRecord(name, value))
    diff.added.push(...rrset)
    return new TxtNode(rrset)
  }

  private txtRecord(name: string, value: string): ZoneRecord {
    // RFC 1035 §3.3.14: TXT-DATA is <character-string>s of at most 255 octets each (UTF-8 on
    // the wire). Kept as strings, the entry's own: a Buffer per record cost 100k domains ~60 MB.
    const data = utf8Length(value) <= MAX_STRING_OCTETS ? [value] : splitTxt(value)
    return { name, type: 'TXT', class: 'IN', ttl: this.settings.ttl, data }
  }
}

const NO_BIMI: ZoneEntry['bimi'] = Object.freeze([]) as unknown as ZoneEntry['bimi']

function copyEntry(e: ZoneEntry): ZoneEntry {
  const bimi =
    e.bimi.length === 0 ? NO_BIMI : e.bimi.map(({ selector, value }) => ({ selector, value }))
  return { label: e.label, mtaSts: e.mtaSts, tlsRpt: e.tlsRpt, bimi }
}

function sameValues(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** Octets of `value` in UTF-8, without encoding it (a lone surrogate counts as U+FFFD's 3). */
function utf8Length(value: string): number {
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}
