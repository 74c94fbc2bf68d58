import { createSocket, type Socket } from 'node:dgram'
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.js'
import { sendNotify } from './notify.js'
import { makeZone, ORIGIN } from '../../../test/helpers/dns-kit.js'

type Behaviour = (msg: Buffer, reply: (b: Buffer) => void) => void

interface Secondary {
  port: number
  received: Buffer[]
}

const sockets: Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

/** A fake secondary on loopback that records NOTIFYs and answers as `behave` says. */
async function secondary(behave: Behaviour): Promise<Secondary> {
  const socket = createSocket('udp4')
  sockets.push(socket)
  const received: Buffer[] = []
  socket.on('message', (msg, peer) => {
    received.push(msg)
    behave(msg, (b) => socket.send(b, peer.port, peer.address))
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return { port: socket.address().port, received }
}

/** The response a secondary sends: the NOTIFY echoed with QR set and `rcode`. */
function ack(msg: Buffer, rcode = 0, id = msg.readUInt16BE(0)): Buffer {
  const out = Buffer.from(msg)
  out.writeUInt16BE(id, 0)
  out.writeUInt16BE(((msg.readUInt16BE(2) | 0x8000) & ~0xf) | rcode, 2)
  return out
}

const zone = makeZone(2026120601)

describe('sendNotify', () => {
  it('when a secondary acknowledges, then acked, and the NOTIFY is opcode 4, AA, SOA question, current SOA answer', async () => {
    const lines: string[] = []
    const s = await secondary((msg, reply) => reply(ack(msg)))
    const result = await sendNotify({
      targets: [{ address: '127.0.0.1', port: s.port }],
      zone,
      timeoutMs: 500,
      log: createLogger('debug', (l) => lines.push(l)),
    })
    expect(result).toEqual([{ target: `127.0.0.1:${s.port}`, acked: true }])
    const msg = dnsPacket.decode(s.received[0]!)
    expect((s.received[0]!.readUInt16BE(2) >> 11) & 0xf).toBe(4)
    expect(msg.flag_qr).toBe(false)
    expect(msg.flag_aa).toBe(true)
    expect(msg.questions).toEqual([{ name: ORIGIN, type: 'SOA', class: 'IN' }])
    expect(msg.answers?.[0]).toMatchObject({ type: 'SOA', data: { serial: 2026120601 } })
    expect(lines.some((l) => l.includes('dns_notify_acked'))).toBe(true)
  })

  it('when a secondary stays silent, then each attempt is sent, and the result is not acked', async () => {
    const s = await secondary(() => {})
    const result = await sendNotify({
      targets: [{ address: '127.0.0.1', port: s.port }],
      zone,
      timeoutMs: 60,
      attempts: 3,
      log: createLogger('error', () => {}),
    })
    expect(result[0]?.acked).toBe(false)
    expect(s.received).toHaveLength(3)
    // Retries are the same message (RFC 1996 §3.6): same id.
    expect(new Set(s.received.map((m) => m.readUInt16BE(0))).size).toBe(1)
  })

  it('when the first answer has the wrong id and the retry is answered, then acked', async () => {
    let n = 0
    const s = await secondary((msg, reply) => {
      n++
      reply(n === 1 ? ack(msg, 0, msg.readUInt16BE(0) ^ 1) : ack(msg))
    })
    const result = await sendNotify({
      targets: [{ address: '127.0.0.1', port: s.port }],
      zone,
      timeoutMs: 80,
      log: createLogger('error', () => {}),
    })
    expect(result[0]?.acked).toBe(true)
    expect(s.received).toHaveLength(2)
  })

  it('when a secondary answers REFUSED, then not acked and not retried', async () => {
    const s = await secondary((msg, reply) => reply(ack(msg, 5)))
    const result = await sendNotify({
      targets: [{ address: '127.0.0.1', port: s.port }],
      zone,
      timeoutMs: 200,
      log: createLogger('error', () => {}),
    })
    expect(result[0]?.acked).toBe(false)
    expect(s.received).toHaveLength(1)
  })

  it('when several targets differ, then each gets its own result, and a bad target does not throw', async () => {
    const good = await secondary((msg, reply) => reply(ack(msg)))
    const silent = await secondary(() => {})
    const result = await sendNotify({
      targets: [
        { address: '127.0.0.1', port: good.port },
        { address: '127.0.0.1', port: silent.port },
        { address: '127.0.0.1', port: 70000 },
      ],
      zone,
      timeoutMs: 60,
      attempts: 1,
      log: createLogger('error', () => {}),
    })
    expect(result.map((r) => r.acked)).toEqual([true, false, false])
  })
})
