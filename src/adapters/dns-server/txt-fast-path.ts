/**
 * adapters/dns-server: the reply to the query nearly every resolver sends us — one TXT question
 * of class IN, nothing after it but an OPT without options — written straight into the reply
 * buffer. The general path (handle-query.ts) decodes with dns-packet and builds a Reply object
 * first; under dnsperf that was about half of the CPU our code takes per query (`npm run
 * bench`, 11b). The answer itself still comes from core/dns/answer.ts, so there is one rule for
 * what is answered; this file only reads and writes bytes.
 *
 * Contract: returns the exact bytes the general path would send (txt-fast-path.test.ts compares
 * both over every kind of name, case, EDNS and size), or null for anything it does not cover —
 * any other shape of message, an odd octet in the question, a reply that would need TC, a name
 * outside the zone — and the general path answers that.
 */
import { answerQuery, type QueryInput } from '../../core/dns/answer.js'
import type { ZoneIndex } from '../../core/dns/zone-index.js'
import type { ZoneRecord } from '../../core/dns/zone-types.js'
import { recordCodec } from './dns-packet-parts.js'
import { CLASSIC_UDP_BYTES } from './edns.js'
import { CLASS_IN, HEADER_BYTES, OPCODE_QUERY, plain, RCODE, replyFlags } from './wire.js'

const TYPE_TXT = 16 // RFC 1035 §3.2.2
const TYPE_OPT = 41 // RFC 6891 §6.1.1
/** RFC 1035 §2.3.4: a name takes at most 255 octets on the wire. */
const MAX_NAME_OCTETS = 255
/** RFC 6891 §6.1.2: root name, TYPE, CLASS (UDP size), TTL (ext. RCODE, version, flags), RDLEN. */
const OPT_BYTES = 11
/** A record owned by the question: pointer 0xC00C, TYPE, CLASS, TTL, RDLENGTH (§4.1.3). */
const POINTED_RR_BYTES = 12
const QUESTION_POINTER = 0xc000 | HEADER_BYTES

// One question being read at a time per process: answering is synchronous, so the name's
// octets are gathered in one scratch buffer instead of a string per label.
const scratch = Buffer.allocUnsafe(MAX_NAME_OCTETS)
const query: QueryInput = { name: '', type: 'TXT', class: 'IN' }

/**
 * The reply to `msg` when it is the common TXT query (see the file comment), else null.
 * `udpPayloadMax` is our EDNS UDP size (RFC 6891 §6.2.3); `streamMax` the largest reply over
 * TCP, or null over UDP, where the query's OPT sets it.
 */
export function fastTxtReply(
  msg: Buffer,
  zone: ZoneIndex,
  udpPayloadMax: number,
  streamMax: number | null,
): Buffer | null {
  if (msg.length < HEADER_BYTES) return null
  const flags = msg.readUInt16BE(2)
  // A query (QR clear), opcode QUERY; one question; no answer or authority records; at most
  // one additional, which must be the OPT below.
  if ((flags & 0x8000) !== 0 || ((flags >> 11) & 0xf) !== OPCODE_QUERY) return null
  const arcount = msg.readUInt16BE(10)
  if (msg.readUInt16BE(4) !== 1 || msg.readUInt32BE(6) !== 0 || arcount > 1) return null
  // The question's name: plain labels only, no compression (wire.ts readQuestion's rules).
  let at = HEADER_BYTES
  let length = 0
  for (;;) {
    if (at >= msg.length) return null
    const len = msg[at]!
    if (len === 0) break
    if ((len & 0xc0) !== 0 || at + 1 + len > msg.length) return null
    if (length > 0) scratch[length++] = 0x2e // '.'
    for (let i = at + 1; i <= at + len; i++) {
      const octet = msg[i]!
      // wire.ts readQuestion writes any other octet as \DDD: the general path's case.
      if (!plain(octet)) return null
      scratch[length++] = octet
    }
    at += 1 + len
    if (at + 1 - HEADER_BYTES > MAX_NAME_OCTETS) return null
  }
  const questionEnd = at + 5
  if (questionEnd > msg.length) return null
  if (msg.readUInt16BE(at + 1) !== TYPE_TXT || msg.readUInt16BE(at + 3) !== CLASS_IN) return null
  let limit = streamMax ?? CLASSIC_UDP_BYTES
  if (arcount === 1) {
    // RFC 6891 §6.1.2: root owner, TYPE OPT, version 0 (else BADVERS, the general path's), and
    // no options, which dns-packet would decode and check.
    if (msg.length !== questionEnd + OPT_BYTES || msg[questionEnd] !== 0) return null
    if (msg.readUInt16BE(questionEnd + 1) !== TYPE_OPT || msg[questionEnd + 6] !== 0) return null
    if (msg.readUInt16BE(questionEnd + 9) !== 0) return null
    if (streamMax === null) {
      // RFC 6891 §6.2.5: the requestor's size, capped at ours, never below 512 (edns.ts udpLimit).
      const asked = msg.readUInt16BE(questionEnd + 3)
      limit = Math.max(CLASSIC_UDP_BYTES, Math.min(asked, udpPayloadMax))
    }
  } else if (msg.length !== questionEnd) return null
  query.name = scratch.toString('latin1', 0, length)
  const result = answerQuery(zone, query)
  // REFUSED and NOTIMP are rare, and have no records: the general path writes those.
  if (result.rcode !== 'NOERROR' && result.rcode !== 'NXDOMAIN') return null
  if (result.additionals.length > 0 || result.authorities.length > 1) return null
  const soa = result.authorities.length === 1 ? soaBytes(result.authorities[0]!, query.name) : null
  if (soa === null && result.authorities.length === 1) return null
  let size = questionEnd + (soa?.length ?? 0) + (arcount === 1 ? OPT_BYTES : 0)
  for (const record of result.answers) {
    const data = txtData(record, query.name)
    if (data === null) return null
    size += POINTED_RR_BYTES
    for (const s of data) {
      const octets = Buffer.byteLength(s)
      // RFC 1035 §3.3.14: the zone splits longer values; anything else is not ours to write.
      if (octets > 255) return null
      size += 1 + octets
    }
  }
  if (size > limit) return null
  return writeReply(msg, questionEnd, result.answers, soa, arcount === 1, udpPayloadMax, {
    size,
    flags: replyFlags(OPCODE_QUERY, result.aa, false, (flags & 0x0100) !== 0, RCODE[result.rcode]),
  })
}

/** A TXT answer's strings when it is owned by the question (pointed at), else null. */
function txtData(record: ZoneRecord, spelling: string): readonly string[] | null {
  if (record.type !== 'TXT' || record.name !== spelling) return null
  const data = (record as { data: unknown }).data
  if (!Array.isArray(data) || !data.every((s) => typeof s === 'string')) return null
  return data as string[]
}

// The negative-answer SOA as the general path writes it (dns-packet, name in full), per SOA
// object: a new serial is a new object, so old entries go with it.
const soaCache = new WeakMap<ZoneRecord, Buffer>()

/** The SOA's bytes, or null when the general path would point it at the question instead. */
function soaBytes(record: ZoneRecord, spelling: string): Buffer | null {
  if (record.type !== 'SOA' || record.name === spelling) return null
  let bytes = soaCache.get(record)
  if (bytes === undefined) {
    bytes = Buffer.alloc(recordCodec.encodingLength(record))
    recordCodec.encode(record, bytes, 0)
    soaCache.set(record, bytes)
  }
  return bytes
}

function writeReply(
  msg: Buffer,
  questionEnd: number,
  answers: readonly ZoneRecord[],
  soa: Buffer | null,
  edns: boolean,
  udpPayloadMax: number,
  head: { size: number; flags: number },
): Buffer {
  const out = Buffer.allocUnsafe(head.size)
  // Header: the query's ID, our flags, QDCOUNT 1 and the section counts (RFC 1035 §4.1.1);
  // the question follows as received.
  out[0] = msg[0]!
  out[1] = msg[1]!
  out.writeUInt16BE(head.flags, 2)
  out.writeUInt16BE(1, 4)
  out.writeUInt16BE(answers.length, 6)
  out.writeUInt16BE(soa === null ? 0 : 1, 8)
  out.writeUInt16BE(edns ? 1 : 0, 10)
  // Byte by byte: a question is some 50 octets, below what Buffer#copy's checks cost.
  for (let i = HEADER_BYTES; i < questionEnd; i++) out[i] = msg[i]!
  let at = questionEnd
  for (const record of answers) {
    out.writeUInt16BE(QUESTION_POINTER, at)
    out.writeUInt16BE(TYPE_TXT, at + 2)
    out.writeUInt16BE(CLASS_IN, at + 4)
    out.writeUInt32BE((record as { ttl?: number }).ttl ?? 0, at + 6)
    const rdata = at + POINTED_RR_BYTES
    let end = rdata
    // RFC 1035 §3.3.14: each <character-string> is a length octet and up to 255 octets.
    for (const s of (record as { data: string[] }).data) {
      const n = out.write(s, end + 1)
      out[end] = n
      end += 1 + n
    }
    out.writeUInt16BE(end - rdata, at + 10)
    at = end
  }
  if (soa !== null) at += soa.copy(out, at)
  if (edns) {
    // Our OPT (RFC 6891 §6.1.2): root owner, our UDP size, RCODE fits 4 bits, version 0, no flags.
    out[at] = 0
    out.writeUInt16BE(TYPE_OPT, at + 1)
    out.writeUInt16BE(udpPayloadMax, at + 3)
    out.writeUInt32BE(0, at + 5)
    out.writeUInt16BE(0, at + 9)
  }
  return out
}
