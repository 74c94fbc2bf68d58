import type { ZoneRecord } from './zone-types.js'

/** The RRsets at one name, keyed by type name ('TXT', 'SOA', 'NS', 'A', 'AAAA'). */
export type ZoneNode = ReadonlyMap<string, ZoneRecord[]>

// RFC 8020 §2: an empty non-terminal exists (NODATA), so it is a node with no RRsets.
export const EMPTY_NODE: ZoneNode = new Map()

/**
 * A name holding one TXT RRset, made when asked for: the index keeps the entries' values, not a
 * record per name (100k delegated domains would otherwise take ~90 MB of heap).
 */
export class TxtNode implements ZoneNode {
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

/** Octets of `value` in UTF-8, without encoding it (a lone surrogate counts as U+FFFD's 3). */
export function utf8Length(value: string): number {
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
