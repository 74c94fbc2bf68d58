/**
 * adapters/dns-server: the authoritative DNS server for the one service zone (issue 12), in the
 * process, answering from memory over UDP and TCP, with zone transfers to the configured
 * secondaries and NOTIFY to them (notify.ts).
 *
 * Contract of startDnsServer:
 * - Binds UDP and TCP on `address`; with `port` 0 each gets its own ephemeral port (tests).
 *   Rejects, with one Error naming the transport and address:port, if either bind fails
 *   (the other is closed again), or if a `transferAllow` entry is not an address or CIDR.
 * - Every query is answered from `zone()` at the time it arrives; `zone` must be cheap.
 *   A zone transfer takes `zone()` once and builds its whole record list from that snapshot
 *   and `journal` synchronously before writing (transfer.ts), so the engine may swap or mutate
 *   the ZoneIndex at any time; it must update zone and journal together, in one tick.
 * - Never throws out of a socket callback and never stops serving because of what a client
 *   sent: malformed messages get FORMERR or nothing, internal failures SERVFAIL (logged).
 *   Attacker bytes are never logged; lines carry lengths, ids and source addresses.
 * - UDP replies are rate-limited per source (`rrl`); TCP replies never are.
 * - `close()` closes both sockets and every open TCP connection; it resolves when they are.
 */
import type { IxfrJournal } from '../../core/dns/ixfr-journal.js'
import { ResponseRateLimiter } from '../../core/dns/rrl.js'
import type { ZoneIndex } from '../../core/dns/zone-index.js'
import type { Logger } from '../../core/ports.js'
import { addressAcl } from './address-acl.js'
import { DEFAULT_UDP_PAYLOAD_MAX } from './edns.js'
import { DEFAULT_TCP_LIMITS, listenTcp, type TcpListener } from './tcp.js'
import { listenUdp } from './udp.js'

export { sendNotify } from './notify.js'

export interface DnsServerOptions {
  /** Bind address, e.g. '127.0.0.1' or '::'. */
  address: string
  /** 0 = ephemeral (tests). */
  port: number
  /** The current zone (the engine swaps or mutates it); null while loading (SERVFAIL). */
  zone: () => ZoneIndex | null
  journal: IxfrJournal
  /** CIDRs or addresses allowed AXFR/IXFR; empty = nobody. */
  transferAllow: string[]
  rrl: { responsesPerSecond: number; window: number; slip: number; maxEntries: number }
  /** Our EDNS UDP size, default 1232 (DNS flag day 2020). */
  udpPayloadMax?: number
  tcp?: { maxConnections?: number; maxPerSource?: number; idleMs?: number }
  log: Logger
  /** Millisecond clock for the rate limiter, default Date.now. */
  now?: () => number
}

export interface DnsServer {
  udpPort: number
  tcpPort: number
  /** Both sockets are open (false once either closed, for /healthz). */
  listening(): boolean
  close(): Promise<void>
}

/** Starts the zone's DNS server on UDP and TCP; see the contract above. */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const acl = addressAcl(opts.transferAllow)
  const common = {
    zone: opts.zone,
    journal: opts.journal,
    udpPayloadMax: opts.udpPayloadMax ?? DEFAULT_UDP_PAYLOAD_MAX,
    acl,
    log: opts.log,
  }
  const where = (transport: string, port: number) =>
    `${transport} ${opts.address.includes(':') ? `[${opts.address}]` : opts.address}:${port}`
  const failed = (transport: string, err: unknown): Error =>
    new Error(
      `dns server: cannot listen on ${where(transport, opts.port)}: ${(err as Error).message}`,
      { cause: err },
    )

  const udp = await listenUdp(opts.address, opts.port, {
    ...common,
    rrl: new ResponseRateLimiter(opts.rrl),
    now: opts.now ?? Date.now,
  }).catch((err: unknown) => {
    throw failed('udp', err)
  })
  let tcp: TcpListener
  try {
    tcp = await listenTcp(opts.address, opts.port, {
      ...common,
      limits: { ...DEFAULT_TCP_LIMITS, ...definedOnly(opts.tcp ?? {}) },
    })
  } catch (err) {
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    throw failed('tcp', err)
  }
  const udpPort = udp.address().port
  const tcpAddress = tcp.server.address()
  const tcpPort = typeof tcpAddress === 'object' && tcpAddress !== null ? tcpAddress.port : 0
  opts.log.info('dns_listening', { udp: where('udp', udpPort), tcp: where('tcp', tcpPort) })
  let closing: Promise<void> | null = null
  let udpOpen = true
  udp.on('close', () => (udpOpen = false))
  return {
    udpPort,
    tcpPort,
    listening: () => udpOpen && tcp.server.listening,
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        tcp.close(),
      ]).then(() => undefined)
      return closing
    },
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
