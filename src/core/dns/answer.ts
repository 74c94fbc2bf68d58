import type { ZoneIndex } from './zone-index.js'
import type { ZoneRecord } from './zone-types.js'

/** One question as the adapter decoded it. */
export interface QueryInput {
  /** As received: any case, no trailing dot, '' for the root. */
  name: string
  /** A dns-packet type name, or 'UNKNOWN_<n>'. */
  type: string
  /** 'IN', 'CH', 'ANY', … or 'UNKNOWN_<n>'. */
  class: string
}

/**
 * What to send back. Records are shared with the zone (never mutate them); the three arrays are
 * the caller's own, so the adapter may append (e.g. an OPT record to `additionals`).
 */
export interface QueryResult {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'NOTIMP'
  /** Authoritative Answer (RFC 1035 §4.1.1). */
  aa: boolean
  answers: ZoneRecord[]
  authorities: ZoneRecord[]
  additionals: ZoneRecord[]
}

// The negative-answer SOA for each SOA object the zone hands out; a new serial is a new object,
// so the cache follows serial changes by itself and drops old entries with them.
const negativeSoas = new WeakMap<ZoneRecord, ZoneRecord>()

/** The SOA for the authority section of a negative answer. */
function negativeSoa(zone: ZoneIndex): ZoneRecord {
  const soa = zone.soa()
  let negative = negativeSoas.get(soa)
  if (negative === undefined) {
    // RFC 2308 §3: the TTL of this SOA is the lesser of its own TTL and its MINIMUM field,
    // since resolvers cache the negative answer for that long (§5).
    const { ttl, minimum } = zone.settings
    negative = minimum < ttl ? ({ ...soa, ttl: minimum } as ZoneRecord) : soa
    negativeSoas.set(soa, negative)
  }
  return negative
}

// Anything but printable ASCII takes the careful path below (rare, and correct for any input).
const NON_ASCII = /[^\u0020-\u007e]/

/** The name lower-cased for lookup, ASCII letters only (RFC 4343 §3). */
function lookupName(name: string): string {
  const lower = name.toLowerCase()
  // toLowerCase also folds U+212A KELVIN SIGN to 'k', which would match a name the query does
  // not spell; DNS case-insensitivity covers A–Z only, so such names fold by hand.
  if (lower === name || !NON_ASCII.test(name)) return lower
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
}

/** `name` (lower-case) is the apex or lies below it, label-wise. */
function inZone(name: string, origin: string): boolean {
  if (name.length === origin.length) return name === origin
  // 'xdns.example' ends with 'dns.example' but is not below it: a label boundary must precede.
  return (
    name.length > origin.length &&
    name.charCodeAt(name.length - origin.length - 1) === 46 /* '.' */ &&
    name.endsWith(origin)
  )
}

/** The RRset with every owner name spelled as the question spelled it (RFC 1034 §4.3.2 echo). */
function echoed(rrset: readonly ZoneRecord[], spelling: string): ZoneRecord[] {
  const out: ZoneRecord[] = new Array<ZoneRecord>(rrset.length)
  for (let i = 0; i < rrset.length; i++) {
    const record = rrset[i] as ZoneRecord
    // Resolvers using 0x20 case randomisation compare names case-sensitively: copy only then.
    out[i] = record.name === spelling ? record : { ...record, name: spelling }
  }
  return out
}

function result(
  rcode: QueryResult['rcode'],
  aa: boolean,
  answers: ZoneRecord[] = [],
  authorities: ZoneRecord[] = [],
  additionals: ZoneRecord[] = [],
): QueryResult {
  return { rcode, aa, answers, authorities, additionals }
}

/** Answers one question from the zone, as an authoritative-only server (RFC 1034 §4.3.2). */
export function answerQuery(zone: ZoneIndex, q: QueryInput): QueryResult {
  // This server holds one class-IN zone; other classes (CH for version.bind, ANY) are declined.
  if (q.class !== 'IN') return result('NOTIMP', false)
  const name = lookupName(q.name)
  const origin = zone.soa().name
  // RFC 1034 §4.3.2 step 2: no zone here is nearest to the name, and we do not recurse.
  if (!inZone(name, origin)) return result('REFUSED', false)
  // RFC 5936 §2.2 / RFC 1995: transfers are served by the adapter over TCP before this point.
  if (q.type === 'AXFR' || q.type === 'IXFR') return result('NOTIMP', false)
  const node = zone.node(name)
  // RFC 1034 §4.3.2 step 3c: the name does not exist; RFC 2308 §3 puts the SOA in authority.
  if (node === undefined) return result('NXDOMAIN', true, [], [negativeSoa(zone)])
  let rrset: ZoneRecord[] | undefined
  if (q.type === 'ANY') {
    // RFC 8482 §4.1: answer ANY with one RRset of the node, never the whole node.
    rrset = node.get('TXT') ?? node.get('SOA') ?? firstRRset(node)
  } else {
    rrset = node.get(q.type)
  }
  // RFC 2308 §2.2: the name exists (possibly as an empty non-terminal) but not with this type.
  if (rrset === undefined) return result('NOERROR', true, [], [negativeSoa(zone)])
  // RFC 1034 §4.3.2 step 3b: the NS answer at the apex carries the in-zone targets' addresses.
  // They are names below the query name, so they keep the zone's spelling.
  const additionals = q.type === 'NS' && name === origin ? zone.glue().slice() : []
  return result('NOERROR', true, echoed(rrset, q.name), [], additionals)
}

/** The first RRset of a node (an in-zone nameserver's A before its AAAA), if any. */
function firstRRset(node: ReadonlyMap<string, ZoneRecord[]>): ZoneRecord[] | undefined {
  for (const rrset of node.values()) return rrset
  return undefined
}
