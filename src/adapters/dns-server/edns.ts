/**
 * adapters/dns-server: EDNS(0) as a responder sees it (RFC 6891) — which OPT a query carries,
 * and how large a UDP reply may be.
 */
import type { Answer, OptAnswer } from 'dns-packet'

/** RFC 1035 §4.2.1: without EDNS, a UDP message carries at most 512 octets. */
export const CLASSIC_UDP_BYTES = 512

/**
 * Our advertised EDNS UDP size: 1232 octets fits the IPv6 minimum MTU (1280) less its 48 octets
 * of headers, so replies are not fragmented (DNS flag day 2020).
 */
export const DEFAULT_UDP_PAYLOAD_MAX = 1232

export type EdnsRead =
  | { ok: true; opt: OptAnswer | null }
  | { ok: false; reason: 'two OPT records' | 'OPT not at the root' | 'OPT outside additional' }

/** The query's OPT record, or why the query is malformed (RFC 6891 §6.1.1). */
export function readEdns(sections: {
  answers: readonly Answer[]
  authorities: readonly Answer[]
  additionals: readonly Answer[]
}): EdnsRead {
  // RFC 6891 §6.1.1: the OPT RR appears in the additional data section only, at most once.
  if ([...sections.answers, ...sections.authorities].some((r) => r.type === 'OPT')) {
    return { ok: false, reason: 'OPT outside additional' }
  }
  const opts = sections.additionals.filter((r): r is OptAnswer => r.type === 'OPT')
  if (opts.length > 1) return { ok: false, reason: 'two OPT records' }
  const opt = opts[0] ?? null
  // RFC 6891 §6.1.2: NAME MUST be 0 (the root domain); dns-packet decodes that as '.'
  if (opt !== null && opt.name !== '.') return { ok: false, reason: 'OPT not at the root' }
  return { ok: true, opt }
}

/**
 * The largest UDP reply we send to this query: the requestor's size, capped at ours, never
 * below 512 (RFC 6891 §6.2.5: values below 512 are treated as 512); 512 without EDNS.
 */
export function udpLimit(opt: OptAnswer | null, ourMax: number): number {
  if (opt === null) return CLASSIC_UDP_BYTES
  return Math.max(CLASSIC_UDP_BYTES, Math.min(opt.udpPayloadSize, ourMax))
}
