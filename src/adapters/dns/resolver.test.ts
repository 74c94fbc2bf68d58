/**
 * The resolver adapter against a real DNS server on loopback: a small authoritative responder
 * written with dns-packet, so node:dns does the real wire exchange (knot serves the e2e suite).
 */
import { createSocket, type Socket } from 'node:dgram'
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { dnsResolver } from './resolver.js'

let server: Socket | undefined
afterEach(() => server?.close())

/** Answers from `zone` (name → records); a name not in it is NXDOMAIN, `fail` SERVFAIL. */
async function responder(zone: Record<string, Answer[]>, fail: string[] = []): Promise<string> {
  server = createSocket('udp4')
  const s = server
  s.on('message', (msg, peer) => {
    const q = dnsPacket.decode(msg)
    const question = q.questions?.[0]
    if (!question) return
    const name = question.name.toLowerCase()
    const records = (zone[name] ?? []).filter((r) => r.type === question.type)
    // RFC 1035 §4.1.1: RCODE in the low four bits of the flags (2 SERVFAIL, 3 NXDOMAIN).
    const rcode = fail.includes(name) ? 2 : name in zone ? 0 : 3
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER | (dnsPacket.RECURSION_DESIRED & (q.flags ?? 0)) | rcode,
      questions: q.questions,
      answers: records,
    })
    s.send(reply, peer.port, peer.address)
  })
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return `127.0.0.1:${s.address().port}`
}

const mx = (name: string, preference: number, exchange: string): Answer => ({
  type: 'MX',
  name,
  ttl: 60,
  data: { preference, exchange },
})

describe('dnsResolver.mx (issue 13)', () => {
  it('when a domain has MX records, then they come lowest preference first, lower-case, without the trailing dot', async () => {
    const at = await responder({
      'alpha.example': [
        mx('alpha.example', 20, 'MX2.Alpha.Example'),
        mx('alpha.example', 10, 'mx1.alpha.example'),
      ],
    })

    const got = await dnsResolver([at], 1000).mx('alpha.example')

    expect(got).toEqual([
      { preference: 10, exchange: 'mx1.alpha.example' },
      { preference: 20, exchange: 'mx2.alpha.example' },
    ])
  })

  it('when the domain has no MX or does not exist, then none', async () => {
    const at = await responder({ 'bare.example': [] })
    const r = dnsResolver([at], 1000)

    expect(await r.mx('bare.example')).toEqual([])
    expect(await r.mx('nowhere.example')).toEqual([])
  })

  it('when the server fails, then the lookup throws (the check is skipped, not passed)', async () => {
    const at = await responder({ 'broken.example': [] }, ['broken.example'])

    await expect(dnsResolver([at], 1000).mx('broken.example')).rejects.toThrow()
  })
})
