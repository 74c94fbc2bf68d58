/**
 * Test support for the DNS server's tests (not product code): a small real zone, a server on
 * loopback with its log captured, and UDP/TCP clients that speak raw bytes.
 */
import { createSocket } from 'node:dgram'
import { ORIGIN, testZoneSettings } from './zone-fixtures.js'
import { connect } from 'node:net'
import dnsPacket from 'dns-packet'
import type { Answer, DecodedPacket, Packet } from 'dns-packet'
import { IxfrJournal } from '../../src/core/dns/ixfr-journal.js'
import { ZoneIndex } from '../../src/core/dns/zone-index.js'
import type { ZoneSettings } from '../../src/core/dns/zone-types.js'
import { createLogger } from '../../src/adapters/log/logger.js'
import {
  startDnsServer,
  type DnsServer,
  type DnsServerOptions,
} from '../../src/adapters/dns-server/server.js'

export { ORIGIN }

export const SETTINGS: ZoneSettings = testZoneSettings({
  nameservers: [`ns1.${ORIGIN}`, 'ns2.example.org'],
})

/** A zone with one delegated domain, label `alpha`. */
export function makeZone(serial = 100): ZoneIndex {
  const zone = new ZoneIndex(SETTINGS, serial)
  zone.put({ label: 'alpha', mtaSts: 'v=STSv1; id=20261206', tlsRpt: null, bimi: [] })
  return zone
}

export interface Harness {
  server: DnsServer
  holder: { zone: ZoneIndex }
  journal: IxfrJournal
  lines: string[]
  clock: { now: number }
  close(): Promise<void>
}

/** A server on 127.0.0.1, ephemeral ports, RRL off unless `opts.rrl` says otherwise. */
export async function startHarness(opts: Partial<DnsServerOptions> = {}): Promise<Harness> {
  const lines: string[] = []
  const holder = { zone: makeZone() }
  const journal = new IxfrJournal(10)
  const clock = { now: 1_000_000 }
  const server = await startDnsServer({
    address: '127.0.0.1',
    port: 0,
    zone: () => holder.zone,
    journal,
    transferAllow: ['127.0.0.1/32'],
    rrl: { responsesPerSecond: 0, window: 1, slip: 2, maxEntries: 1000 },
    log: createLogger('debug', (line) => lines.push(line)),
    now: () => clock.now,
    ...opts,
  })
  return { server, holder, journal, lines, clock, close: () => server.close() }
}

/** A query message; `edns` adds an OPT with that UDP size (and version). */
export function query(
  name: string,
  type: string,
  opts: { id?: number; rd?: boolean; edns?: { size: number; version?: number } } = {},
): Buffer {
  const additionals: Answer[] = []
  if (opts.edns) {
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: opts.edns.size,
      extendedRcode: 0,
      ednsVersion: opts.edns.version ?? 0,
      flags: 0,
      flag_do: false,
      options: [],
    })
  }
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals,
  } satisfies Packet)
}

/** Sends each message over UDP from one socket and gathers replies for `waitMs`. */
export async function udpCollect(
  port: number,
  messages: Buffer[],
  opts: { waitMs?: number; from?: string; until?: number } = {},
): Promise<Buffer[]> {
  const socket = createSocket('udp4')
  const replies: Buffer[] = []
  await new Promise<void>((resolve) => socket.bind(0, opts.from ?? '127.0.0.1', resolve))
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      socket.close()
      resolve(replies)
    }
    const timer = setTimeout(done, opts.waitMs ?? 300)
    socket.on('message', (msg) => {
      replies.push(msg)
      if (opts.until !== undefined && replies.length >= opts.until) done()
    })
    for (const message of messages) socket.send(message, port, '127.0.0.1')
  })
}

/** One UDP query, its one reply (or null after `waitMs`). */
export async function udpAsk(
  port: number,
  message: Buffer,
  opts: { waitMs?: number; from?: string } = {},
): Promise<Buffer | null> {
  const replies = await udpCollect(port, [message], { waitMs: 500, ...opts, until: 1 })
  return replies[0] ?? null
}

/** Decodes a reply (throws on a malformed one, which is itself a test failure). */
export const decode = (msg: Buffer): DecodedPacket => dnsPacket.decode(msg)

/** The RCODE with the OPT's upper bits (RFC 6891 §6.1.3). */
export function rcodeOf(msg: Buffer): number {
  const low = msg.readUInt16BE(2) & 0xf
  const opt = (decode(msg).additionals ?? []).find((r) => r.type === 'OPT')
  return opt && opt.type === 'OPT' ? (opt.extendedRcode << 4) | low : low
}

export interface TcpResult {
  replies: Buffer[]
  /** Whether the server closed the connection before `waitMs`. */
  closed: boolean
}

/** Opens a TCP connection, writes `data` (already framed), gathers framed replies. */
export function tcpExchange(
  port: number,
  data: Buffer[],
  opts: { until?: number | ((replies: Buffer[]) => boolean); waitMs?: number } = {},
): Promise<TcpResult> {
  const until = opts.until
  const enough =
    typeof until === 'function'
      ? until
      : (replies: Buffer[]) => until !== undefined && replies.length >= until
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const replies: Buffer[] = []
    let pending = Buffer.alloc(0)
    let closed = false
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ replies, closed })
    }
    const timer = setTimeout(done, opts.waitMs ?? 1000)
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)))
        pending = pending.subarray(2 + pending.readUInt16BE(0))
      }
      if (enough(replies)) done()
    })
    socket.on('close', () => {
      closed = true
      done()
    })
    for (const chunk of data) socket.write(chunk)
  })
}

/** RFC 1035 §4.2.2 framing. */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(message.length)
  return Buffer.concat([length, message])
}

/** For `tcpExchange`'s `until`: the transfer has sent `count` SOA records. */
export const soaCount =
  (count: number) =>
  (replies: Buffer[]): boolean =>
    replies.flatMap((r) => dnsPacket.decode(r).answers ?? []).filter((a) => a.type === 'SOA')
      .length >= count
