/**
 * adapters/dns-server: the parts of the DNS message format (RFC 1035 §4.1) the server reads
 * itself rather than through dns-packet — the fixed header, so that absurd counts are refused
 * before anything is decoded, and the question, so that it is echoed byte for byte (case and
 * unusual octets preserved, RFC 4343 §4.1) — and the one function that assembles a reply.
 */
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { rdataCodec, recordCodec, typeCode } from './dns-packet-parts.js'

/** RFC 1035 §4.1.1: the header is always 12 octets. */
export const HEADER_BYTES = 12

export const OPCODE_QUERY = 0
export const OPCODE_NOTIFY = 4 // RFC 1996 §3.1

/** Response codes (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS, which needs the OPT's 8 bits). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const

export const CLASS_IN = 1 // RFC 1035 §3.2.4
export const TYPE_IXFR = 251 // RFC 1995 §2
export const TYPE_AXFR = 252 // RFC 5936 §2.1

export interface Header {
  id: number
  qr: boolean
  opcode: number
  rd: boolean
  qdcount: number
  ancount: number
  nscount: number
  arcount: number
}

/** The fixed header, or null when the message is shorter than one. */
export function readHeader(msg: Buffer): Header | null {
  if (msg.length < HEADER_BYTES) return null
  const flags = msg.readUInt16BE(2)
  return {
    id: msg.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rd: (flags & 0x0100) !== 0,
    qdcount: msg.readUInt16BE(4),
    ancount: msg.readUInt16BE(6),
    nscount: msg.readUInt16BE(8),
    arcount: msg.readUInt16BE(10),
  }
}

export interface RawQuestion {
  /** QNAME, QTYPE and QCLASS exactly as received, to echo in the reply. */
  bytes: Buffer
  /**
   * QNAME in presentation form without the trailing dot (`''` for the root, as core/dns/answer.ts takes it), spelled as
   * received; octets other than letters, digits, `-` and `_`, and any `.` or `\` inside a
   * label, are written `\DDD` (RFC 1035 §5.1), so no such name can match a zone name.
   */
  name: string
  type: number
  class: number
}

// RFC 1035 §2.3.4: 255 octets at most for a whole name on the wire.
const MAX_NAME_OCTETS = 255

/** Letters, digits, `-` and `_`: written as they are; anything else as `\\DDD`. */
export function plain(octet: number): boolean {
  return (
    (octet >= 0x61 && octet <= 0x7a) || // a-z
    (octet >= 0x41 && octet <= 0x5a) || // A-Z
    (octet >= 0x30 && octet <= 0x39) || // 0-9
    octet === 0x2d || // -
    octet === 0x5f // _
  )
}

function presentLabel(label: Buffer): string {
  // Nearly every label is plain: one latin1 decode instead of a string built per octet.
  if (label.every(plain)) return label.toString('latin1')
  let out = ''
  for (const octet of label) {
    out += plain(octet) ? String.fromCharCode(octet) : `\\${octet.toString().padStart(3, '0')}`
  }
  return out
}

/**
 * The question that starts at `offset` (the octet after the header), or null when it is
 * malformed. Compression is refused: RFC 1035 §4.1.4 lets a pointer reach only a prior name,
 * and before the first question there is only the header.
 */
export function readQuestion(msg: Buffer, offset = HEADER_BYTES): RawQuestion | null {
  const labels: string[] = []
  let at = offset
  for (;;) {
    if (at >= msg.length) return null
    const len = msg[at]!
    if (len === 0) break
    // RFC 1035 §4.1.4 pointers (0xC0) and the RFC 6891 §5 extended label types (0x40, 0x80)
    if ((len & 0xc0) !== 0) return null
    if (at + 1 + len > msg.length) return null
    labels.push(presentLabel(msg.subarray(at + 1, at + 1 + len)))
    at += 1 + len
    if (at + 1 - offset > MAX_NAME_OCTETS) return null
  }
  at += 1
  if (at + 4 > msg.length) return null
  return {
    // A view, not a copy: the datagram's buffer is this message's own and outlives the reply.
    bytes: msg.subarray(offset, at + 4),
    name: labels.join('.'),
    type: msg.readUInt16BE(at),
    class: msg.readUInt16BE(at + 2),
  }
}

export interface Reply {
  id: number
  opcode: number
  rcode: number
  aa?: boolean
  tc?: boolean
  rd?: boolean
  /** The question as received (RawQuestion.bytes), or none. */
  question?: Buffer | null
  /**
   * The question's name as RawQuestion.name spells it: an answer owned by exactly this name is
   * written with a pointer to the question (RFC 1035 §4.1.4) instead of the name again.
   */
  questionName?: string
  answers?: Answer[]
  authorities?: Answer[]
  additionals?: Answer[]
  /** Our OPT (RFC 6891 §6.1.2), present when the query carried one. */
  edns?: { udpPayloadSize: number } | null
}

/** A reply's flags word: QR set, RA clear (we never recurse), the low 4 bits of the RCODE. */
export function replyFlags(
  opcode: number,
  aa: boolean,
  tc: boolean,
  rd: boolean,
  rcode: number,
): number {
  return (
    0x8000 | // QR: a response
    ((opcode & 0xf) << 11) |
    (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    (rd ? dnsPacket.RECURSION_DESIRED : 0) |
    (rcode & 0xf)
  )
}

/**
 * Encodes a reply: QR set, RA clear (we never recurse), the RCODE's upper 8 bits in the OPT
 * (RFC 6891 §6.1.3). dns-packet does not compress names, so the question can be spliced in
 * after encoding without moving anything a pointer could refer to. Throws if a record cannot
 * be encoded (a zone data bug, which the caller turns into SERVFAIL).
 */
export function encodeReply(r: Reply): Buffer {
  const flags = replyFlags(r.opcode, r.aa === true, r.tc === true, r.rd === true, r.rcode)
  const answers = r.answers ?? []
  const authorities = r.authorities ?? []
  const additionals = r.edns
    ? [...(r.additionals ?? []), optRecord(r.edns.udpPayloadSize, r.rcode)]
    : (r.additionals ?? [])
  const question = r.question ?? null
  // Only names spelled as the question are pointed at, and the question sits right after the
  // header, so the pointer is always 0xC00C.
  const pointTo = question !== null ? r.questionName : undefined
  const pointed = (record: Answer) =>
    pointTo !== undefined &&
    record.name === pointTo &&
    ((record as { class?: string }).class ?? 'IN') === 'IN'
  let length = HEADER_BYTES + (question?.length ?? 0)
  for (const section of [answers, authorities, additionals]) {
    for (const record of section) {
      length += pointed(record)
        ? POINTER_BYTES + FIXED_RR_BYTES + rdataCodec(record.type).encodingLength(dataOf(record))
        : recordCodec.encodingLength(record)
    }
  }
  // One buffer, written in order (RFC 1035 §4.1): header, the question as received, records.
  const out = Buffer.allocUnsafe(length)
  out.writeUInt16BE(r.id, 0)
  out.writeUInt16BE(flags, 2)
  out.writeUInt16BE(question ? 1 : 0, 4)
  out.writeUInt16BE(answers.length, 6)
  out.writeUInt16BE(authorities.length, 8)
  out.writeUInt16BE(additionals.length, 10)
  let at = HEADER_BYTES
  if (question) at += question.copy(out, at)
  for (const section of [answers, authorities, additionals]) {
    for (const record of section)
      at = pointed(record) ? pointedRecord(record, out, at) : whole(record, out, at)
  }
  return out
}

/** Octets of a compression pointer (RFC 1035 §4.1.4) and of TYPE, CLASS and TTL (§4.1.3). */
const POINTER_BYTES = 2
const FIXED_RR_BYTES = 8
const QUESTION_POINTER = 0xc000 | HEADER_BYTES
const CLASS_CODE_IN = 1

const dataOf = (record: Answer): unknown => (record as { data?: unknown }).data

function whole(record: Answer, out: Buffer, at: number): number {
  recordCodec.encode(record, out, at)
  return at + recordCodec.encode.bytes
}

/** A record owned by the question's name: pointer, TYPE, CLASS IN, TTL, then dns-packet's RDATA. */
function pointedRecord(record: Answer, out: Buffer, at: number): number {
  out.writeUInt16BE(QUESTION_POINTER, at)
  out.writeUInt16BE(typeCode(record.type), at + 2)
  out.writeUInt16BE(CLASS_CODE_IN, at + 4)
  out.writeUInt32BE((record as { ttl?: number }).ttl ?? 0, at + 6)
  const codec = rdataCodec(record.type)
  codec.encode(dataOf(record), out, at + POINTER_BYTES + FIXED_RR_BYTES)
  return at + POINTER_BYTES + FIXED_RR_BYTES + codec.encode.bytes
}

/** Our OPT (RFC 6891 §6.1.2): version 0, our UDP size, the RCODE's upper 8 bits (§6.1.3). */
function optRecord(udpPayloadSize: number, rcode: number): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  }
}

/** Octets `record` takes in a message (no compression: dns-packet never compresses). */
export function recordLength(record: Answer): number {
  return recordCodec.encodingLength(record)
}

/** The records after the question, by section (RFC 1035 §4.1): at most a few in a query. */
export interface Sections {
  answers: Answer[]
  authorities: Answer[]
  additionals: Answer[]
}

/**
 * Decodes the records that follow the question (which ends at `offset`), as many as the header
 * counts; throws on anything dns-packet cannot decode or on bytes left over or missing.
 */
export function readSections(msg: Buffer, offset: number, header: Header): Sections {
  let at = offset
  const take = (count: number): Answer[] => {
    const out: Answer[] = []
    for (let i = 0; i < count; i++) {
      if (at >= msg.length) throw new Error('records past the end')
      out.push(recordCodec.decode(msg, at))
      at += recordCodec.decode.bytes
    }
    return out
  }
  const sections = {
    answers: take(header.ancount),
    authorities: take(header.nscount),
    additionals: take(header.arcount),
  }
  if (at > msg.length) throw new Error('records past the end')
  return sections
}
