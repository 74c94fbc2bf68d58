/**
 * adapters/dns-server: one DNS message in, what to send back out — the same for UDP and TCP but
 * for the size limit and zone transfers. The header is read first, so that a response, an
 * unknown opcode or absurd section counts cost nothing; only then does dns-packet decode the
 * rest, and anything it cannot decode is FORMERR. Answers come from core/dns/answer.ts; zone
 * transfers from transfer.ts. Never throws: an unexpected error becomes SERVFAIL.
 */
import type { SoaAnswer } from 'dns-packet'
import { answerQuery } from '../../core/dns/answer.js'
import type { IxfrJournal } from '../../core/dns/ixfr-journal.js'
import type { ZoneIndex } from '../../core/dns/zone-index.js'
import type { Logger } from '../../core/ports.js'
import { className, typeName } from './dns-packet-parts.js'
import { readEdns, udpLimit } from './edns.js'
import { fastTxtReply } from './txt-fast-path.js'
import { isCurrent, transferMessages, transferRecords, type TransferRequest } from './transfer.js'
import {
  CLASS_IN,
  encodeReply,
  OPCODE_NOTIFY,
  OPCODE_QUERY,
  RCODE,
  readHeader,
  readQuestion,
  readSections,
  HEADER_BYTES,
  TYPE_AXFR,
  TYPE_IXFR,
  type Header,
  type RawQuestion,
  type Reply,
  type Sections,
} from './wire.js'

/**
 * Records a query may carry besides its question: an IXFR's SOA (RFC 1995 §3), an OPT (RFC 6891)
 * and a TSIG or SIG(0); a NOTIFY's SOA answer (RFC 1996 §3.7). Eight leaves room and keeps
 * decoding bounded: dns-packet would otherwise walk up to 3 × 65535 records.
 */
const MAX_OTHER_RECORDS = 8

/** RFC 1035 §4.2.2: a TCP message is framed by a 2-octet length. */
export const TCP_MESSAGE_MAX = 65535

export interface QueryContext {
  transport: 'udp' | 'tcp'
  /** The zone to answer from; null while it is still loading (answered SERVFAIL). */
  zone: () => ZoneIndex | null
  journal: IxfrJournal
  /** Our EDNS UDP payload size (RFC 6891 §6.2.3), advertised in every OPT we send. */
  udpPayloadMax: number
  /** Whether the source may transfer the zone (AXFR, and IXFR that needs more than the SOA). */
  mayTransfer: () => boolean
  log: Logger
  /** For the debug line of a malformed message: where it came from. */
  source: string
}

export type Handled =
  | { kind: 'drop' }
  | { kind: 'reply'; message: Buffer }
  /** TCP only: several messages, encoded as they are pulled (a zone transfer). */
  | { kind: 'stream'; messages: Iterable<Buffer> }

const drop: Handled = { kind: 'drop' }

function reply(r: Reply): Handled {
  return { kind: 'reply', message: encodeReply(r) }
}

/** Error text for a debug line: short, and not the packet's own bytes (dns-packet's are fixed). */
function describe(err: unknown): string {
  return (err instanceof Error ? err.message : 'non-error thrown').slice(0, 120)
}

/** Answers one DNS message; see the file comment. */
export function handleMessage(msg: Buffer, ctx: QueryContext): Handled {
  // The common TXT query, written directly (txt-fast-path.ts); null sends it the long way. A
  // throw here is a bug or a zone that cannot be read: the general path answers it again, and
  // turns the same throw into SERVFAIL.
  let fast: Buffer | null = null
  try {
    const zone = ctx.zone()
    const streamMax = ctx.transport === 'udp' ? null : TCP_MESSAGE_MAX
    if (zone !== null) fast = fastTxtReply(msg, zone, ctx.udpPayloadMax, streamMax)
  } catch {
    fast = null
  }
  return fast !== null ? { kind: 'reply', message: fast } : handleInFull(msg, ctx)
}

/**
 * Answers one DNS message through the general path, whatever it holds: what fastTxtReply
 * must equal wherever it answers (txt-fast-path.test.ts holds both side by side).
 */
export function handleInFull(msg: Buffer, ctx: QueryContext): Handled {
  const header = readHeader(msg)
  // RFC 1035 §4.1.1: too short to have a header, or itself a response: never answered, so that
  // two servers cannot be made to bounce replies at each other.
  if (header === null || header.qr) return drop
  try {
    return handleQuery(msg, header, ctx)
  } catch (err) {
    // Debug, like every line a client's message can cause: a query that trips a bug must not
    // become a way to flood the log. SERVFAIL tells the client it was our fault.
    ctx.log.debug('dns_query_failed', {
      transport: ctx.transport,
      source: ctx.source,
      id: header.id,
      bytes: msg.length,
      error: describe(err),
    })
    return safely(() => reply({ id: header.id, opcode: header.opcode, rcode: RCODE.SERVFAIL }))
  }
}

function safely(make: () => Handled): Handled {
  try {
    return make()
  } catch {
    return drop
  }
}

interface Head {
  id: number
  opcode: number
  rd: boolean
}

/** FORMERR (RFC 1035 §4.1.1), without a question: we could not read one we trust. */
function malformed(head: Head, bytes: number, ctx: QueryContext, why: string): Handled {
  if (ctx.log.enabled('debug')) {
    ctx.log.debug('dns_malformed', {
      transport: ctx.transport,
      source: ctx.source,
      id: head.id,
      bytes,
      reason: why,
    })
  }
  return reply({ ...head, rcode: RCODE.FORMERR })
}

function handleQuery(msg: Buffer, header: Header, ctx: QueryContext): Handled {
  const base: Head = { id: header.id, opcode: header.opcode, rd: header.rd }
  // RFC 1035 §4.1.1: NOTIMP for kinds of query we do not support (IQUERY, STATUS, UPDATE, …)
  if (header.opcode !== OPCODE_QUERY && header.opcode !== OPCODE_NOTIFY) {
    return reply({ ...base, rcode: RCODE.NOTIMP })
  }
  // One question (RFC 9619 makes QDCOUNT=1 the rule for QUERY), checked before decoding.
  if (header.qdcount !== 1) return malformed(base, msg.length, ctx, 'qdcount')
  if (header.ancount + header.nscount + header.arcount > MAX_OTHER_RECORDS) {
    return malformed(base, msg.length, ctx, 'counts')
  }
  const question = readQuestion(msg)
  if (question === null) return malformed(base, msg.length, ctx, 'question')
  // Only what follows the question is decoded (dns-packet, record by record): the question
  // itself was read above, and a plain query has nothing after it.
  let decoded: Sections
  try {
    decoded = readSections(msg, HEADER_BYTES + question.bytes.length, header)
  } catch (err) {
    return malformed(base, msg.length, ctx, describe(err))
  }
  const edns = readEdns(decoded)
  if (!edns.ok) return malformed(base, msg.length, ctx, edns.reason)
  const ours = edns.opt === null ? null : { udpPayloadSize: ctx.udpPayloadMax }
  const echo = () => ({ ...base, question: question.bytes, edns: ours })
  // RFC 6891 §6.1.3: we implement version 0 only; BADVERS carries our OPT (version 0).
  if (edns.opt !== null && edns.opt.ednsVersion > 0) {
    return reply({ ...echo(), rcode: RCODE.BADVERS })
  }
  // RFC 1996 §3.10: a NOTIFY from a host that is not a known primary of the zone is not acted
  // on; we are the zone's primary and have none. REFUSED says so without retries.
  if (header.opcode === OPCODE_NOTIFY) return reply({ ...echo(), rcode: RCODE.REFUSED })
  const zone = ctx.zone()
  // Still loading at start: SERVFAIL makes a resolver try another server or later, where an
  // empty zone's NXDOMAIN would be cached (RFC 2308) as if the names did not exist.
  if (zone === null) return reply({ ...echo(), rcode: RCODE.SERVFAIL })
  const limit = ctx.transport === 'udp' ? udpLimit(edns.opt, ctx.udpPayloadMax) : TCP_MESSAGE_MAX
  if (question.type === TYPE_AXFR || question.type === TYPE_IXFR) {
    return transfer(zone, decoded, question, base, ours, ctx, limit, msg.length)
  }
  const result = answerQuery(zone, {
    name: question.name,
    // dns-packet's names, UNKNOWN_<n> for types and classes it does not know
    type: typeName(question.type),
    class: className(question.class),
  })
  // Built field by field, not spread: this is the path every query takes.
  const answer: Reply = {
    id: header.id,
    opcode: header.opcode,
    rd: header.rd,
    question: question.bytes,
    questionName: question.name,
    edns: ours,
    rcode: RCODE[result.rcode],
    aa: result.aa,
    answers: result.answers,
    authorities: result.authorities,
    additionals: result.additionals,
  }
  return sized(answer, limit, ctx)
}

/**
 * Encodes `r`, or its truncated form when it exceeds `limit`: RFC 6891 §7 and RFC 2181 §9 —
 * TC set, header, question and OPT only, so the client retries over TCP (RFC 7766 §5).
 */
function sized(r: Reply, limit: number, ctx: QueryContext): Handled {
  const message = encodeReply(r)
  if (message.length <= limit) return { kind: 'reply', message }
  if (ctx.transport === 'tcp') {
    // Cannot be framed (RFC 1035 §4.2.2); the zone never holds an RRset this large.
    ctx.log.warn('dns_reply_too_large', { bytes: message.length, id: r.id })
    return reply({ ...truncated(r), tc: false, rcode: RCODE.SERVFAIL })
  }
  return reply(truncated(r))
}

/** `r` without its records, TC set. */
function truncated(r: Reply): Reply {
  const { id, opcode, rd, aa, question, edns, rcode } = r
  return { id, opcode, rd, aa, question, edns, rcode, tc: true }
}

function clientSerial(decoded: Sections): number | null {
  // RFC 1995 §3: the authority section carries the SOA of the client's version of the zone
  const soa = decoded.authorities.find((r): r is SoaAnswer => r.type === 'SOA')
  return soa?.data.serial ?? null
}

function transfer(
  zone: ZoneIndex,
  decoded: Sections,
  question: RawQuestion,
  head: Head,
  edns: Reply['edns'],
  ctx: QueryContext,
  limit: number,
  bytes: number,
): Handled {
  // `zone` was taken once: one snapshot for the whole transfer (transfer.ts).
  const base: Reply = { ...head, question: question.bytes, edns, rcode: RCODE.NOERROR }
  // Only our own zone, case-insensitively (RFC 4343); anything else is refused like any other
  // name outside it (answer.ts).
  if (question.name.toLowerCase() !== zone.soa().name) {
    return reply({ ...base, rcode: RCODE.REFUSED })
  }
  // RFC 5936 §2.1: QCLASS is the zone's class; ours is IN only (answer.ts declines others too).
  if (question.class !== CLASS_IN) return reply({ ...base, rcode: RCODE.NOTIMP })
  let request: TransferRequest = { kind: 'AXFR' }
  if (question.type === TYPE_IXFR) {
    const serial = clientSerial(decoded)
    if (serial === null) return malformed(head, bytes, ctx, 'IXFR without SOA')
    request = { kind: 'IXFR', clientSerial: serial }
  }
  if (ctx.transport === 'udp') {
    // RFC 5936 §4.2: AXFR over UDP is not defined, so it is a kind of query we do not
    // implement (NOTIMP), which also tells the client not to retry it there.
    if (request.kind === 'AXFR') return reply({ ...base, rcode: RCODE.NOTIMP })
    if (!ctx.mayTransfer()) return reply({ ...base, rcode: RCODE.REFUSED })
    // RFC 1995 §2: a client already current gets our SOA alone. For anyone else the reply does
    // not fit, and §2 answers with the single current SOA "to inform the client that a TCP
    // query should be initiated"; TC=1 says the same to clients that look at the header.
    const soa = { ...base, aa: true, answers: [zone.soa()] }
    if (isCurrent(zone.serial, request.clientSerial)) return sized(soa, limit, ctx)
    return sized({ ...soa, tc: true }, limit, ctx)
  }
  // RFC 5936 §5: the operator decides who may transfer the zone; anyone else is REFUSED.
  if (!ctx.mayTransfer()) return reply({ ...base, rcode: RCODE.REFUSED })
  const records = transferRecords(zone, ctx.journal, request)
  return {
    kind: 'stream',
    messages: transferMessages(records, { ...head, question: question.bytes }),
  }
}
