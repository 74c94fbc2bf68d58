/*
 * A delegated domain's label in the service zone: `<label>._mta-sts.<zone>` and its siblings are
 * what the customer's own `_mta-sts.<domain>` etc. point to with a CNAME. The label must be one
 * DNS label, stable, and readable enough that an operator can tell whose it is.
 */

// Readable part: long enough to recognise the domain, short enough to leave room for the hash.
const PREFIX_CHARS = 40
// 10 base32 characters = 50 bits: among 10^6 domains a clash has odds ~4·10^-4 even with equal
// prefixes, and the caller's unique index plus `attempt` resolves the rare one that happens.
const HASH_CHARS = 10
// RFC 4648 §6, lower-cased because names in the zone are lower-case (zone-types.ts).
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/**
 * The domain's label in the zone: readable prefix + '-' + base32 of SHA-256 of the domain
 * (`domain#attempt` when attempt > 0). `domain` is canonical (lower-case A-labels, no root dot).
 */
export function zoneLabel(domain: string, attempt = 0): string {
  const digest = sha256(attempt > 0 ? `${domain}#${attempt}` : domain)
  const prefix = domain
    .replace(/\./g, '-')
    .replace(/[^a-z0-9-]/g, '')
    // RFC 5891 §4.2.3.1: '--' in positions 3–4 marks reserved (e.g. xn--) labels; a label that
    // merely looks like an A-label (xn--mnchen-3ya-de) would fail IDNA checks, so runs collapse.
    .replace(/-{2,}/g, '-')
    .slice(0, PREFIX_CHARS)
    // RFC 952 / RFC 1123 §2.1: a label neither starts nor ends with '-'.
    .replace(/^-+|-+$/g, '')
  const hash = base32(digest).slice(0, HASH_CHARS)
  // RFC 1035 §2.3.4: at most 63 octets; here at most 40 + 1 + 10.
  return prefix === '' ? hash : `${prefix}-${hash}`
}

/** Unpadded lower-case base32 (RFC 4648 §6) of the leading bytes, enough for HASH_CHARS. */
function base32(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32[(buffer >>> bits) & 31]
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31]
  return out
}

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64
// primes. SHA-256 is written out here because core/ imports no node:* (STYLE.md) and the label
// must stay a plain function of the domain, without an injected hasher.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** SHA-256 (FIPS 180-4) of the UTF-8 of `text`. */
export function sha256(text: string): Uint8Array {
  const data = new TextEncoder().encode(text)
  // §5.1.1: append 0x80, zeros, and the bit length as 64 bits, to a multiple of 64 bytes.
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64)
  padded.set(data)
  padded[data.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000))
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0)
  // §5.3.3: initial hash value.
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ])
  const w = new Uint32Array(64)
  for (let block = 0; block < padded.length; block += 64) {
    // §6.2.2: the message schedule, then 64 rounds over the working variables.
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4)
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
      w[t] = w[t - 16]! + s0 + w[t - 7]! + s1
    }
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let k = h[7]!
    for (let t = 0; t < 64; t++) {
      const ch = (e & f) ^ (~e & g)
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ch + K[t]! + w[t]!
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + maj
      k = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    // Uint32Array stores wrap modulo 2^32, as §6.2.2 step 4 adds.
    h[0] = h[0]! + a
    h[1] = h[1]! + b
    h[2] = h[2]! + c
    h[3] = h[3]! + d
    h[4] = h[4]! + e
    h[5] = h[5]! + f
    h[6] = h[6]! + g
    h[7] = h[7]! + k
  }
  const out = new Uint8Array(32)
  const outView = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i] as number)
  return out
}
