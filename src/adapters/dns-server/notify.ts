/**
 * adapters/dns-server: NOTIFY (RFC 1996) from us, the primary, to the secondaries after the
 * zone changed, so they ask for the new version at once rather than at their next SOA refresh.
 */
import { randomInt } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import dnsPacket from 'dns-packet'
import type { ZoneIndex } from '../../core/dns/zone-index.js'
import type { Logger } from '../../core/ports.js'
import { OPCODE_NOTIFY, RCODE, readHeader } from './wire.js'

export interface NotifyTarget {
  address: string
  port: number
}

export interface NotifyOptions {
  targets: NotifyTarget[]
  zone: ZoneIndex
  /** How long to wait for each attempt's response, ms (default 2000). */
  timeoutMs?: number
  /** Sends per target before giving up (default 3). */
  attempts?: number
  /**
   * Address to send from: secondaries accept NOTIFY only from the primary's address (RFC 1996
   * §3.10), so on a host with several, the server's own bind address. Default: the OS's choice.
   */
  source?: string
  log: Logger
}

export interface NotifyResult {
  /** `address:port` (`[v6]:port`). */
  target: string
  /** Whether the target answered NOERROR. */
  acked: boolean
}

/**
 * RFC 1996 §3.6 leaves the interval to the implementation; 2 s is well above a LAN or WAN round
 * trip, and three tries ride out a lost datagram or two while the whole round stays under 10 s.
 */
const DEFAULT_TIMEOUT_MS = 2_000
const DEFAULT_ATTEMPTS = 3

const label = (t: NotifyTarget): string =>
  `${isIPv6(t.address) ? `[${t.address}]` : t.address}:${t.port}`

/**
 * Sends NOTIFY for `zone` to every target at once, each from its own ephemeral socket, and
 * reports which acknowledged. Never throws: a failure is `acked: false`, logged.
 */
export async function sendNotify(opts: NotifyOptions): Promise<NotifyResult[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS)
  let build: (id: number) => Buffer
  try {
    const soa = opts.zone.soa()
    const origin = opts.zone.settings.origin
    build = (id) =>
      // RFC 1996 §3.7: opcode NOTIFY, AA set, the zone's SOA as the question; the current SOA
      // in the answer section is a hint the secondary may use (§3.7, §3.11).
      dnsPacket.encode({
        type: 'query',
        id,
        flags: (OPCODE_NOTIFY << 11) | dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [{ name: origin, type: 'SOA', class: 'IN' }],
        answers: [soa],
      })
  } catch (err) {
    opts.log.error('dns_notify_failed', { error: (err as Error).message })
    return opts.targets.map((t) => ({ target: label(t), acked: false }))
  }
  return Promise.all(
    opts.targets.map(async (t) => {
      const target = label(t)
      const acked = await notifyOne(
        t,
        build,
        { timeoutMs, attempts, source: opts.source },
        opts.log,
      ).catch(() => false)
      if (acked) opts.log.info('dns_notify_acked', { target })
      else opts.log.warn('dns_notify_unacked', { target, attempts })
      return { target, acked }
    }),
  )
}

function notifyOne(
  target: NotifyTarget,
  build: (id: number) => Buffer,
  { timeoutMs, attempts, source }: { timeoutMs: number; attempts: number; source?: string },
  log: Logger,
): Promise<boolean> {
  const id = randomInt(0, 0x10000)
  // One id for every retry: RFC 1996 §3.6 treats a retry as the same message, so a late
  // response to an earlier send still counts.
  const message = build(id)
  const socket = createSocket(isIPv6(target.address) ? 'udp6' : 'udp4')
  return new Promise<boolean>((resolve) => {
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    let done = false
    const finish = (acked: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.close()
      resolve(acked)
    }
    socket.on('error', (err) => {
      log.debug('dns_notify_socket_error', { target: label(target), error: err.message })
      finish(false)
    })
    socket.on('message', (msg, peer) => {
      const header = readHeader(msg)
      // RFC 1996 §4.7 (and §3.7): the response echoes id and opcode, QR set, from the target.
      if (header === null || !header.qr || header.id !== id || header.opcode !== OPCODE_NOTIFY) {
        return
      }
      if (peer.port !== target.port) return
      const rcode = msg.readUInt16BE(2) & 0xf
      // A refusal or NOTIMP is an answer: retrying would not change it.
      if (rcode !== RCODE.NOERROR) log.warn('dns_notify_rejected', { target: label(target), rcode })
      finish(rcode === RCODE.NOERROR)
    })
    const send = () => {
      sent++
      try {
        socket.send(message, target.port, target.address, (err) => {
          if (err) {
            log.debug('dns_notify_send_failed', { target: label(target), error: err.message })
          }
        })
      } catch {
        finish(false) // a port or address node rejects outright: no retry will do better
        return
      }
      timer = setTimeout(() => (sent < attempts ? send() : finish(false)), timeoutMs)
    }
    if (source === undefined) send()
    else socket.bind({ address: source, port: 0 }, send)
  })
}
