/**
 * adapters/dns-server: the pieces of dns-packet below `encode`/`decode` that its typings leave
 * out — the codec of one resource record and the type and class names. With them the server
 * decodes only the records after the question (usually none, or an OPT) and writes a reply into
 * one buffer, instead of decoding the whole query a second time and concatenating buffers:
 * together about half of the per-query cost (`npm run bench`, row 11b).
 */
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
// @ts-expect-error -- dns-packet ships these modules without typings; both export toString().
import types from 'dns-packet/types.js'
// @ts-expect-error -- as above
import classes from 'dns-packet/classes.js'

/** The RDATA codec of one type (`dnsPacket.record(type)`): writes RDLENGTH, then the data. */
interface RdataCodec {
  encode: ((data: unknown, buf: Buffer, offset: number) => Buffer) & { bytes: number }
  encodingLength(data: unknown): number
}

interface RecordCodec {
  encode: ((record: Answer, buf: Buffer, offset: number) => Buffer) & { bytes: number }
  decode: ((buf: Buffer, offset: number) => Answer) & { bytes: number }
  encodingLength(record: Answer): number
}

/** One resource record (RFC 1035 §4.1.3): encode at an offset, decode from one, its length. */
export const recordCodec = (dnsPacket as unknown as { answer: RecordCodec }).answer

/**
 * A per-type-name memo of a dns-packet lookup: both lookups upper-case the name on every call,
 * and a reply asks twice per record (length, then encoding).
 */
function memo<T>(lookup: (type: string) => T): (type: string) => T {
  const known = new Map<string, T>()
  return (type) => {
    let v = known.get(type)
    if (v === undefined) {
      v = lookup(type)
      known.set(type, v)
    }
    return v
  }
}

/** The RDATA codec for a type name (`TXT`, `SOA`, …). */
export const rdataCodec = memo((type) =>
  (dnsPacket as unknown as { record(type: string): RdataCodec }).record(type),
)

/** The TYPE number for dns-packet's name of it. */
export const typeCode = memo((name) => (types as { toType(name: string): number }).toType(name))

const names = {
  type: (types as { toString(n: number): string }).toString,
  class: (classes as { toString(n: number): string }).toString,
}

/** dns-packet's name for a TYPE number (`TXT`, or `UNKNOWN_<n>`), as core/dns/answer.ts takes it. */
export const typeName = (n: number): string => names.type(n)
/** dns-packet's name for a CLASS number (`IN`, or `UNKNOWN_<n>`). */
export const className = (n: number): string => names.class(n)
