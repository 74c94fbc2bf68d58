import { labelIs, labelOf, type StoredEntry } from './packed-entry.js'

/**
 * The zone's entries by label, looked up by a slice of the query name without cutting it out:
 * a Map keyed by the label string would need a fresh (sliced) string per query, which V8 hashes
 * and compares slowly against 100k keys (~1–3 µs a lookup under dnsperf, `npm run bench` 11b).
 * Keys are a 30-bit FNV-1a hash of the label (small integers, cheap to hash); entries whose
 * labels share a hash sit in an array and are told apart by comparing the label itself.
 */
export class LabelTable {
  private readonly byHash = new Map<number, StoredEntry | StoredEntry[]>()
  private count = 0

  get size(): number {
    return this.count
  }

  get(label: string): StoredEntry | undefined {
    return this.at(label, 0, label.length)
  }

  /** The entry whose label is `name.slice(start, end)`, found without slicing. */
  at(name: string, start: number, end: number): StoredEntry | undefined {
    const hit = this.byHash.get(hashOf(name, start, end))
    if (hit === undefined) return undefined
    if (!Array.isArray(hit)) return labelIs(hit, name, start, end) ? hit : undefined
    return hit.find((e) => labelIs(e, name, start, end))
  }

  /** Adds or replaces the entry with the same label. */
  set(entry: StoredEntry): void {
    const label = labelOf(entry)
    const key = hashOf(label, 0, label.length)
    const hit = this.byHash.get(key)
    if (hit === undefined) {
      this.byHash.set(key, entry)
      this.count++
    } else if (!Array.isArray(hit)) {
      if (labelOf(hit) === label) this.byHash.set(key, entry)
      else {
        this.byHash.set(key, [hit, entry])
        this.count++
      }
    } else {
      const i = hit.findIndex((e) => labelOf(e) === label)
      if (i >= 0) hit[i] = entry
      else {
        hit.push(entry)
        this.count++
      }
    }
  }

  delete(label: string): boolean {
    const key = hashOf(label, 0, label.length)
    const hit = this.byHash.get(key)
    if (hit === undefined) return false
    if (!Array.isArray(hit)) {
      if (labelOf(hit) !== label) return false
      this.byHash.delete(key)
    } else {
      const i = hit.findIndex((e) => labelOf(e) === label)
      if (i < 0) return false
      hit.splice(i, 1)
      if (hit.length === 1) this.byHash.set(key, hit[0] as StoredEntry)
    }
    this.count--
    return true
  }

  *values(): IterableIterator<StoredEntry> {
    for (const hit of this.byHash.values()) {
      if (Array.isArray(hit)) yield* hit
      else yield hit
    }
  }
}

/** FNV-1a over the UTF-16 code units, cut to 30 bits so the key stays a V8 small integer. */
export function hashOf(s: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h & 0x3fffffff
}
