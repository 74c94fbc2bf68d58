/**
 * A tiny authoritative DNS server on loopback UDP for tests: it answers TXT questions from a
 * map the test edits (RFC 1035 §4.1 message format, §3.3.14 TXT RDATA), NXDOMAIN for names it
 * does not know, and an empty answer for other types. The server under test reaches it
 * through DNS_SERVERS, so its real resolver (node:dns, c-ares) does the asking.
 */
import { createSocket, type Socket } from 'node:dgram'

export interface TestDns {
  /** `ip:port`, for DNS_SERVERS. */
  address: string
  /** name (lower case, no trailing dot) → TXT records, each one string. */
  txt: Map<string, string[]>
  /** Names whose queries get SERVFAIL (a broken zone). */
  failing: Set<string>
  /** Names asked so far, in order. */
  asked: string[]
  close(): Promise<void>
}

const TXT = 16

function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = []
  let i = at
  while (msg[i] !== 0) {
    const len = msg[i]!
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'))
    i += 1 + len
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 }
}

/** TXT RDATA: each record one or more <character-string>s of at most 255 octets. */
function txtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8')
  const parts: Buffer[] = []
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255)
    parts.push(Buffer.from([chunk.length]), chunk)
  }
  return Buffer.concat(parts)
}

function answer(query: Buffer, dns: TestDns): Buffer {
  const { name, end } = readName(query, 12)
  const qtype = query.readUInt16BE(end)
  dns.asked.push(name)
  const question = query.subarray(12, end + 4)
  const known = dns.txt.get(name)
  const rcode = dns.failing.has(name) ? 2 : known === undefined ? 3 : 0
  const records = qtype === TXT && rcode === 0 ? (known ?? []) : []
  const header = Buffer.alloc(12)
  header.writeUInt16BE(query.readUInt16BE(0), 0)
  // QR, AA, RD copied, RA; RCODE 0 / 2 (SERVFAIL) / 3 (NXDOMAIN).
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(records.length, 6)
  const rrs = records.map((value) => {
    const rdata = txtRdata(value)
    const rr = Buffer.alloc(12)
    rr.writeUInt16BE(0xc00c, 0) // pointer to the question name
    rr.writeUInt16BE(TXT, 2)
    rr.writeUInt16BE(1, 4) // IN
    rr.writeUInt32BE(0, 6) // TTL 0: tests change the zone between questions
    rr.writeUInt16BE(rdata.length, 10)
    return Buffer.concat([rr, rdata])
  })
  return Buffer.concat([header, question, ...rrs])
}

export async function startDns(): Promise<TestDns> {
  const socket: Socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const dns: TestDns = {
    address: `127.0.0.1:${socket.address().port}`,
    txt: new Map(),
    failing: new Set(),
    asked: [],
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  }
  socket.on('message', (msg, peer) => {
    try {
      socket.send(answer(msg, dns), peer.port, peer.address)
    } catch {
      // A malformed question gets no answer; the resolver times out, as with a real server.
    }
  })
  return dns
}
