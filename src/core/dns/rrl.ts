/*
 * Response-rate limiting, in the spirit of BIND's RRL: a UDP query's source address can be forged,
 * so an open authoritative server is an amplifier aimed at whoever the forged address belongs to.
 * Limiting the responses sent to each network (not each address: a victim's /24 or /56 is one
 * target) caps what we add to such a flood, while "slip" answers (empty, TC=1) let a real client
 * behind a limited network retry over TCP, which cannot be forged (RFC 7766 §1, RFC 5452 §9.3).
 */

export interface RateLimitOptions {
  /** Responses per second per network; 0 turns limiting off. */
  responsesPerSecond: number
  /** Seconds of burst a quiet network may spend at once (bucket size = rate × window). */
  window: number
  /** Every Nth limited response slips (sent truncated) instead of dropping; 0 = always drop. */
  slip: number
  /** Networks tracked at most; the least recently seen is forgotten first. */
  maxEntries: number
}

export type RateDecision = 'send' | 'slip' | 'drop'

interface Bucket {
  tokens: number
  lastMs: number
  /** Limited responses so far, to pick every `slip`th. */
  limited: number
}

// Prefix lengths as BIND's defaults (ipv4-prefix-length 24, ipv6-prefix-length 56): one site.
const V6_PREFIX_HEXTETS = 3 // the first 48 bits whole…
const V6_PREFIX_MASK = 0xff00 // …and 8 bits of the fourth hextet: /56

/** Token bucket per source network: answers `send`, `slip` or `drop` for one response. */
export class ResponseRateLimiter {
  private readonly rate: number
  private readonly capacity: number
  private readonly slip: number
  private readonly maxEntries: number
  // A Map iterates in insertion order; re-inserting on each use makes the first entry the least
  // recently seen, so eviction is O(1) and forged sources only push out idle networks.
  private readonly buckets = new Map<string, Bucket>()

  constructor(opts: RateLimitOptions) {
    this.rate = Math.max(0, opts.responsesPerSecond)
    // At least one response, or a window shorter than 1/rate would silence everyone.
    this.capacity = Math.max(1, this.rate * opts.window)
    this.slip = Math.max(0, Math.floor(opts.slip))
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries))
  }

  /** Networks currently tracked. */
  get size(): number {
    return this.buckets.size
  }

  /** Whether to send a response to `source` (an IP address as text) at `nowMs`. */
  check(source: string, nowMs: number): RateDecision {
    if (this.rate === 0) return 'send'
    const key = networkKey(source)
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxEntries) {
        const oldest = this.buckets.keys().next()
        if (oldest.done !== true) this.buckets.delete(oldest.value)
      }
      bucket = { tokens: this.capacity, lastMs: nowMs, limited: 0 }
    } else {
      this.buckets.delete(key)
      const elapsedMs = Math.max(0, nowMs - bucket.lastMs)
      bucket.tokens = Math.min(this.capacity, bucket.tokens + (elapsedMs * this.rate) / 1000)
      // A clock that steps back must not earn tokens twice for the same interval.
      bucket.lastMs = Math.max(bucket.lastMs, nowMs)
    }
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 'send'
    }
    bucket.limited += 1
    return this.slip > 0 && bucket.limited % this.slip === 0 ? 'slip' : 'drop'
  }
}

/** The source's network: /24 for IPv4 (also when IPv4-mapped in IPv6), /56 for IPv6. */
export function networkKey(source: string): string {
  if (!source.includes(':')) return source.slice(0, source.lastIndexOf('.'))
  const h = ipv6Hextets(source)
  // An unparsable address is its own network: it still gets a bucket, just a narrower one.
  if (h === null) return source
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is an IPv4 host, so it shares its /24 with plain IPv4.
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    const [hi, lo] = [h[6] as number, h[7] as number]
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}`
  }
  const head = h.slice(0, V6_PREFIX_HEXTETS).map((x) => x.toString(16))
  return `${head.join(':')}:${((h[V6_PREFIX_HEXTETS] as number) & V6_PREFIX_MASK).toString(16)}::`
}

/** The eight 16-bit groups of an IPv6 address in RFC 4291 §2.2 text form, or null. */
function ipv6Hextets(text: string): number[] | null {
  const address = text.split('%')[0] as string // RFC 4007 §11: drop a zone index
  const halves = address.split('::')
  if (halves.length > 2) return null
  const parse = (part: string): number[] | null => {
    if (part === '') return []
    const out: number[] = []
    const groups = part.split(':')
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i] as string
      if (i === groups.length - 1 && group.includes('.')) {
        // RFC 4291 §2.2 form 3: the low 32 bits written as dotted IPv4.
        const octets = group.split('.').map(Number)
        if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return null
        const [a, b, c, d] = octets as [number, number, number, number]
        out.push((a << 8) | b, (c << 8) | d)
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
        out.push(parseInt(group, 16))
      } else {
        return null
      }
    }
    return out
  }
  const head = parse(halves[0] as string)
  const tail = halves.length === 2 ? parse(halves[1] as string) : []
  if (head === null || tail === null) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  return [...head, ...new Array<number>(missing).fill(0), ...tail]
}
