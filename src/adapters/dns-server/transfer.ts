/**
 * adapters/dns-server: zone transfers to the configured secondaries — AXFR (RFC 5936) and IXFR
 * (RFC 1995) — as the list of records to send and the stream of messages that carries them.
 *
 * Consistency: the whole record list of one transfer is built synchronously from one `zone()`
 * snapshot (and the journal at that same instant) before the first message is written; the
 * engine may replace or mutate the ZoneIndex afterwards without tearing a transfer in progress.
 * Only the encoding is lazy, so a large zone is not held as encoded messages all at once.
 */
import {
  axfrRecords,
  ixfrRecords,
  serialGreater,
  type IxfrJournal,
} from '../../core/dns/ixfr-journal.js'
import type { ZoneIndex } from '../../core/dns/zone-index.js'
import type { ZoneRecord } from '../../core/dns/zone-types.js'
import { encodeReply, HEADER_BYTES, RCODE, recordLength } from './wire.js'

/**
 * Octets of records per transfer message. RFC 5936 §2.2 allows up to 65535 per message; ~16 KB
 * keeps each write small (a secondary sees progress, our socket buffer stays shallow) while
 * packing hundreds of the zone's short TXT records per message.
 */
export const TRANSFER_MESSAGE_BYTES = 16 * 1024

export type TransferRequest = { kind: 'AXFR' } | { kind: 'IXFR'; clientSerial: number }

/** Whether a secondary at `clientSerial` already has `zoneSerial` or newer (RFC 1982 order). */
export function isCurrent(zoneSerial: number, clientSerial: number): boolean {
  return clientSerial === zoneSerial || serialGreater(clientSerial, zoneSerial)
}

/** The records one transfer sends, in order, taken from `zone` and `journal` now. */
export function transferRecords(
  zone: ZoneIndex,
  journal: IxfrJournal,
  request: TransferRequest,
): ZoneRecord[] {
  if (request.kind === 'AXFR') return axfrRecords(zone) // RFC 5936 §2.2: SOA, the rest, SOA
  // RFC 1995 §2: a client as new as we are (or newer) gets our single current SOA
  if (isCurrent(zone.serial, request.clientSerial)) return [zone.soa()]
  const deltas = journal.since(request.clientSerial)
  const last = deltas?.[deltas.length - 1]
  // The journal must bridge exactly to the zone we hold; if it does not (too old, or the engine
  // swapped the zone without journalling), RFC 1995 §4 lets us send the whole zone instead.
  if (deltas && last !== undefined && last.toSerial === zone.serial) {
    return ixfrRecords(zone, deltas)
  }
  return axfrRecords(zone)
}

export interface TransferHead {
  id: number
  opcode: number
  rd: boolean
  /** The question as received; echoed in the first message only (RFC 5936 §2.2.1). */
  question: Buffer
}

/**
 * Packs `records` into authoritative messages of at most ~`maxBytes` octets of records each
 * (a record larger than that travels alone). Encoded one message at a time, as the consumer
 * pulls.
 */
export function* transferMessages(
  records: readonly ZoneRecord[],
  head: TransferHead,
  maxBytes: number = TRANSFER_MESSAGE_BYTES,
): Generator<Buffer> {
  let batch: ZoneRecord[] = []
  let size = 0
  let first = true
  const emit = (): Buffer => {
    const message = encodeReply({
      id: head.id,
      opcode: head.opcode,
      rcode: RCODE.NOERROR,
      aa: true,
      rd: head.rd,
      question: first ? head.question : null,
      answers: batch,
    })
    first = false
    batch = []
    size = 0
    return message
  }
  for (const record of records) {
    const length = recordLength(record)
    if (batch.length > 0 && size + length > maxBytes - HEADER_BYTES) yield emit()
    batch.push(record)
    size += length
  }
  if (batch.length > 0 || first) yield emit()
}
