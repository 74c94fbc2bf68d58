/**
 * adapters/dns-server: the UDP listener. One datagram is one query (RFC 1035 §4.2.1); replies
 * are rate-limited per source network (core/dns/rrl.ts: /24, /56) because a spoofed source turns any UDP server
 * into a reflector: over the limit a reply is dropped, or "slipped" as an empty TC=1 reply so a
 * real client behind that address can still get through over TCP.
 */
import { createSocket, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { ResponseRateLimiter } from '../../core/dns/rrl.js'
import type { AddressAcl } from './address-acl.js'
import { handleMessage, type QueryContext } from './handle-query.js'
import { encodeReply, HEADER_BYTES, OPCODE_QUERY, RCODE, readHeader, readQuestion } from './wire.js'

export interface UdpDeps extends Omit<QueryContext, 'transport' | 'mayTransfer' | 'source'> {
  acl: AddressAcl
  rrl: ResponseRateLimiter
  now: () => number
}

/** Binds a UDP socket and answers on it; rejects with the bind error. */
export function listenUdp(address: string, port: number, deps: UdpDeps): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', lookup: literalLookup })
  // One context for the socket, its source set per datagram: answering is synchronous, and a
  // context copied per datagram was a tenth of the cost of a query (`npm run bench`, row 11b).
  const ctx = datagramContext(deps)
  socket.on('message', (msg, peer) => {
    try {
      const message = answerDatagram(msg, peer.address, deps, ctx)
      // No callback: a send error is the socket's 'error' event, logged below.
      if (message !== null) socket.send(message, peer.port, peer.address)
    } catch (err) {
      // answerDatagram does not throw; this is the last net under a socket callback.
      deps.log.debug('dns_udp_failed', { bytes: msg.length, error: String(err).slice(0, 120) })
    }
  })
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, address, () => {
      socket.off('error', reject)
      socket.on('error', (err) => deps.log.warn('dns_udp_error', { error: err.message }))
      resolve(socket)
    })
  })
}

/**
 * Replies go only to the address a datagram came from, always an IP literal; node:dgram would
 * still pass it through dns.lookup, which answers a literal on the next tick — a deferred call
 * per reply for nothing. This answers it at once.
 */
function literalLookup(
  address: string,
  _options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  // Only IPv6 literals hold ':' (isIPv6's full pattern was visible in the profile).
  callback(null, address, address.includes(':') ? 6 : 4)
}

/** The query context of a UDP socket; `source` is the current datagram's. */
export function datagramContext(deps: UdpDeps): QueryContext {
  const ctx: QueryContext = {
    transport: 'udp',
    zone: deps.zone,
    journal: deps.journal,
    udpPayloadMax: deps.udpPayloadMax,
    log: deps.log,
    source: '',
    mayTransfer: () => deps.acl.allows(ctx.source),
  }
  return ctx
}

/** The reply to one datagram from `source`, or null for none. */
export function answerDatagram(
  msg: Buffer,
  source: string,
  deps: UdpDeps,
  ctx: QueryContext = datagramContext(deps),
): Buffer | null {
  // Shorter than a header, or a response (QR, the top bit of octet 2): not worth a reply, and
  // not counted against the source (handle-query.ts drops them too).
  if (msg.length < HEADER_BYTES || (msg[2]! & 0x80) !== 0) return null
  const verdict = deps.rrl.check(source, deps.now())
  if (verdict === 'drop') return null
  if (verdict === 'slip') {
    const header = readHeader(msg)!
    // Header and question only, TC set: a real client retries over TCP (RFC 7766 §5), which
    // a spoofed source cannot do; nothing here is bigger than the query that caused it.
    const question = header.opcode === OPCODE_QUERY ? readQuestion(msg) : null
    return encodeReply({
      id: header.id,
      opcode: header.opcode,
      rd: header.rd,
      rcode: RCODE.NOERROR,
      tc: true,
      question: question?.bytes ?? null,
    })
  }
  ctx.source = source
  const handled = handleMessage(msg, ctx)
  // handle-query.ts streams transfers over TCP only; over UDP the result is one message.
  return handled.kind === 'reply' ? handled.message : null
}
