import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { FrameReader } from './tcp.js'
import {
  decode,
  frame,
  ORIGIN,
  query,
  rcodeOf,
  startHarness,
  tcpExchange,
  type Harness,
} from '../../../test/helpers/dns-kit.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const txt = (id: number) => query(`alpha._mta-sts.${ORIGIN}`, 'TXT', { id })

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.on('error', reject)
  })
}

const closedWithin = (socket: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true)
    const timer = setTimeout(() => resolve(false), ms)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.resume()
  })

describe('FrameReader', () => {
  it('when a stream arrives one byte at a time, then each message comes out once, whole, in order', () => {
    const reader = new FrameReader()
    const stream = Buffer.concat([
      frame(Buffer.from('first')),
      frame(Buffer.alloc(0)),
      frame(Buffer.from('2nd')),
    ])
    const out: string[] = []
    for (const byte of stream) out.push(...reader.push(Buffer.from([byte])).map(String))
    expect(out).toEqual(['first', '', '2nd'])
  })

  it('when several messages arrive in one chunk with a partial tail, then the tail waits', () => {
    const reader = new FrameReader()
    const two = Buffer.concat([
      frame(Buffer.from('a')),
      frame(Buffer.from('bb')),
      frame(Buffer.from('ccc')).subarray(0, 3),
    ])
    expect(reader.push(two).map(String)).toEqual(['a', 'bb'])
    expect(reader.push(Buffer.from('cc')).map(String)).toEqual(['ccc'])
  })
})

describe('TCP', () => {
  it('when three queries are pipelined in one write, then three answers come in order on the same connection', async () => {
    h = await startHarness()
    const data = Buffer.concat([
      frame(txt(1)),
      frame(query(ORIGIN, 'SOA', { id: 2 })),
      frame(txt(3)),
    ])
    const { replies } = await tcpExchange(h.server.tcpPort, [data], { until: 3 })
    expect(replies.map((r) => decode(r).id)).toEqual([1, 2, 3])
    expect(decode(replies[1]!).answers?.[0]?.type).toBe('SOA')
  })

  it('when 500 queries arrive in one write, then 500 answers come back in order', async () => {
    h = await startHarness()
    const data = Buffer.concat(Array.from({ length: 500 }, (_, i) => frame(txt(i))))
    const { replies } = await tcpExchange(h.server.tcpPort, [data], { until: 500 })
    expect(replies.map((r) => decode(r).id)).toEqual(Array.from({ length: 500 }, (_, i) => i))
  })

  it('when a malformed message comes first, then FORMERR and the next query on the connection is still answered', async () => {
    h = await startHarness()
    const junk = Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0])
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(junk), frame(txt(5))], {
      until: 2,
    })
    expect(rcodeOf(replies[0]!)).toBe(1)
    expect(decode(replies[1]!).id).toBe(5)
  })

  it('when a client sends nothing, or only part of a frame, then the idle timer closes the connection', async () => {
    h = await startHarness({ tcp: { idleMs: 150 } })
    const silent = await open(h.server.tcpPort)
    const partial = await open(h.server.tcpPort)
    partial.write(Buffer.from([0, 40, 1, 2, 3])) // a 40-octet message, 3 sent
    const trickle = setInterval(() => partial.writable && partial.write(Buffer.from([0])), 40)
    const started = Date.now()
    const [a, b] = await Promise.all([closedWithin(silent, 800), closedWithin(partial, 800)])
    clearInterval(trickle)
    expect([a, b]).toEqual([true, true])
    expect(Date.now() - started).toBeLessThan(700)
    silent.destroy()
    partial.destroy()
  })

  it('when a source opens more connections than allowed, then the extra ones are closed at once', async () => {
    h = await startHarness({ tcp: { maxPerSource: 2, maxConnections: 10 } })
    const kept = [await open(h.server.tcpPort), await open(h.server.tcpPort)]
    const extra = await open(h.server.tcpPort)
    expect(await closedWithin(extra, 500)).toBe(true)
    // The two admitted connections still work.
    kept[0]!.write(frame(txt(9)))
    const answer = await new Promise<Buffer>((resolve) => kept[0]!.once('data', resolve))
    expect(decode(answer.subarray(2)).id).toBe(9)
    for (const s of kept) s.destroy()
    extra.destroy()
  })

  it('when the total cap is reached, then a connection from anywhere is closed at once', async () => {
    h = await startHarness({ tcp: { maxPerSource: 10, maxConnections: 1 } })
    const kept = await open(h.server.tcpPort)
    const extra = await open(h.server.tcpPort)
    expect(await closedWithin(extra, 500)).toBe(true)
    expect(h.lines.some((l) => l.includes('connections_refused'))).toBe(true)
    kept.destroy()
  })

  it('when the client half-closes after writing queries, then they are answered before the server closes', async () => {
    h = await startHarness()
    const socket = await open(h.server.tcpPort)
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.end(Buffer.concat([frame(txt(11)), frame(txt(12))]))
    expect(await closedWithin(socket, 800)).toBe(true)
    const all = Buffer.concat(chunks)
    const first = all.readUInt16BE(0)
    expect(decode(all.subarray(2, 2 + first)).id).toBe(11)
    expect(decode(all.subarray(4 + first)).id).toBe(12)
  })

  it('when the server closes, then open connections are closed too', async () => {
    h = await startHarness()
    const socket = await open(h.server.tcpPort)
    const closing = closedWithin(socket, 800)
    await h.close()
    h = undefined
    expect(await closing).toBe(true)
  })
})
