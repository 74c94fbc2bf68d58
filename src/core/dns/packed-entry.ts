import type { ZoneEntry } from './zone-types.js'

/**
 * A zone entry as the index keeps it: one string,
 * `label NUL mtaSts NUL tlsRpt (NUL selector NUL value)*`, a null value written as SOH.
 * As objects (an object, three strings and an array each) 100k delegated domains took 33 MB
 * of heap; packed they take about half, and a lookup reads one string where it read four
 * objects (`npm run bench`, rows 4c and 11a). An entry that cannot be written so — a value
 * holding NUL, or a value that is SOH alone — stays the object it is: exact for any input.
 */
export type StoredEntry = string | ZoneEntry

const SEP = '\u0000'
const NONE = '\u0001'
const SEP_CODE = 0

const packable = (v: string | null) => v === null || (v !== NONE && !v.includes(SEP))

/** The entry as stored: packed when it can be (see the type). Selectors are kept as given. */
export function pack(e: ZoneEntry): StoredEntry {
  if (!packable(e.mtaSts) || !packable(e.tlsRpt) || e.label.includes(SEP)) return e
  if (!e.bimi.every((b) => packable(b.value) && !b.selector.includes(SEP))) return e
  let out = `${e.label}${SEP}${e.mtaSts ?? NONE}${SEP}${e.tlsRpt ?? NONE}`
  for (const { selector, value } of e.bimi) out += `${SEP}${selector}${SEP}${value}`
  return out
}

/** The one empty selector list every entry without BIMI shares (most of 100k domains). */
export const NO_BIMI: ZoneEntry['bimi'] = Object.freeze([]) as unknown as ZoneEntry['bimi']

const value = (field: string): string | null => (field === NONE ? null : field)

/** The entry back as an object (a fresh one: the caller may keep it). */
export function unpack(s: StoredEntry): ZoneEntry {
  if (typeof s !== 'string') return s
  const [label, mtaSts, tlsRpt, ...rest] = s.split(SEP)
  const bimi: ZoneEntry['bimi'] = []
  for (let i = 0; i + 1 < rest.length; i += 2) {
    bimi.push({ selector: rest[i] as string, value: rest[i + 1] as string })
  }
  return {
    label: label as string,
    mtaSts: value(mtaSts as string),
    tlsRpt: value(tlsRpt as string),
    bimi: bimi.length > 0 ? bimi : NO_BIMI,
  }
}

/** The entry's label. */
export function labelOf(s: StoredEntry): string {
  return typeof s === 'string' ? s.slice(0, s.indexOf(SEP)) : s.label
}

/** Whether the entry's label is `name.slice(start, end)`, compared without slicing. */
export function labelIs(s: StoredEntry, name: string, start: number, end: number): boolean {
  if (typeof s !== 'string')
    return s.label.length === end - start && name.startsWith(s.label, start)
  const n = end - start
  if (s.length <= n || s.charCodeAt(n) !== SEP_CODE) return false
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== name.charCodeAt(start + i)) return false
  return true
}

/** The `n`th field (0: label, 1: mtaSts, 2: tlsRpt) of a packed entry, as a value. */
function field(s: string, n: number): string | null {
  let from = 0
  for (let i = 0; i < n; i++) from = s.indexOf(SEP, from) + 1
  const to = s.indexOf(SEP, from)
  return value(s.slice(from, to < 0 ? s.length : to))
}

/** TXT value of `<label>._mta-sts.<origin>`, or null. */
export function mtaStsOf(s: StoredEntry): string | null {
  return typeof s === 'string' ? field(s, 1) : s.mtaSts
}

/** TXT value of `<label>._smtp._tls.<origin>`, or null. */
export function tlsRptOf(s: StoredEntry): string | null {
  return typeof s === 'string' ? field(s, 2) : s.tlsRpt
}

/** Whether the entry publishes any BIMI record (a fourth field follows tlsRpt). */
export function hasBimi(s: StoredEntry): boolean {
  if (typeof s !== 'string') return s.bimi.length > 0
  const tls = s.indexOf(SEP, s.indexOf(SEP) + 1)
  return s.indexOf(SEP, tls + 1) >= 0
}
