import dnsPacket from 'dns-packet'
import type { OptAnswer } from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { udpLimit } from './edns.js'
import {
  decode,
  frame,
  ORIGIN,
  query,
  rcodeOf,
  startHarness,
  tcpExchange,
  udpAsk,
  type Harness,
} from '../../../test/helpers/dns-kit.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ udpPayloadMax: 1232 })
  // One 4 kB TXT value: too large for any UDP reply we send, fine over TCP.
  h.holder.zone.put({
    label: 'big',
    mtaSts: `v=STSv1; id=${'x'.repeat(4000)}`,
    tlsRpt: null,
    bimi: [],
  })
  // ~900 octets: over 512, under 1232.
  h.holder.zone.put({
    label: 'mid',
    mtaSts: `v=STSv1; id=${'m'.repeat(900)}`,
    tlsRpt: null,
    bimi: [],
  })
})
afterAll(() => h.close())

const ask = (msg: Buffer) => udpAsk(h.server.udpPort, msg)
const optOf = (msg: Buffer) =>
  (decode(msg).additionals ?? []).find((r): r is OptAnswer => r.type === 'OPT')

describe('udpLimit', () => {
  it.for([
    [null, 512],
    [100, 512],
    [512, 512],
    [1000, 1000],
    [4096, 1232],
  ] as const)('when the client offers %s, then the limit is %s', ([size, limit]) => {
    const opt = size === null ? null : ({ udpPayloadSize: size } as OptAnswer)
    expect(udpLimit(opt, 1232)).toBe(limit)
  })
})

describe('EDNS over UDP', () => {
  it('when the query has an OPT, then the reply has one with our size and version 0', async () => {
    const reply = (await ask(query(ORIGIN, 'SOA', { edns: { size: 4096 } })))!
    expect(rcodeOf(reply)).toBe(0)
    expect(optOf(reply)).toMatchObject({ udpPayloadSize: 1232, ednsVersion: 0 })
  })

  it('when the query has no OPT, then the reply has none', async () => {
    const reply = (await ask(query(ORIGIN, 'SOA')))!
    expect(optOf(reply)).toBeUndefined()
  })

  it('when the EDNS version is 1, then BADVERS (16) with our OPT at version 0', async () => {
    const reply = (await ask(query(ORIGIN, 'SOA', { edns: { size: 1232, version: 1 } })))!
    expect(rcodeOf(reply)).toBe(16)
    expect(optOf(reply)?.ednsVersion).toBe(0)
    expect(decode(reply).answers).toEqual([])
  })

  it('when the query has two OPT records, then FORMERR', async () => {
    const one = query(ORIGIN, 'SOA', { edns: { size: 1232 } })
    const opt = one.subarray(one.length - 11)
    const two = Buffer.concat([one, opt])
    two.writeUInt16BE(2, 10)
    expect(rcodeOf((await ask(two))!)).toBe(1)
  })

  it('when an answer exceeds 512 octets and there is no OPT, then TC=1 with the question only', async () => {
    const reply = (await ask(query(`mid._mta-sts.${ORIGIN}`, 'TXT')))!
    expect(reply.length).toBeLessThanOrEqual(512)
    const msg = decode(reply)
    expect(msg.flag_tc).toBe(true)
    expect(msg.flag_aa).toBe(true)
    expect(msg.questions).toHaveLength(1)
    expect(msg.answers).toEqual([])
  })

  it('when the client offers 1232, then a 900-octet answer comes whole', async () => {
    const reply = (await ask(query(`mid._mta-sts.${ORIGIN}`, 'TXT', { edns: { size: 1232 } })))!
    expect(decode(reply).flag_tc).toBe(false)
    expect(decode(reply).answers).toHaveLength(1)
  })

  it('when a 4 kB TXT is asked over UDP with a 4096 offer, then TC=1 (our 1232 cap) with OPT; over TCP it comes whole', async () => {
    const name = `big._mta-sts.${ORIGIN}`
    const udp = (await ask(query(name, 'TXT', { edns: { size: 4096 } })))!
    expect(udp.length).toBeLessThanOrEqual(1232)
    expect(decode(udp).flag_tc).toBe(true)
    expect(decode(udp).answers).toEqual([])
    expect(optOf(udp)?.udpPayloadSize).toBe(1232)

    const tcp = await tcpExchange(h.server.tcpPort, [frame(query(name, 'TXT'))], { until: 1 })
    const msg = decode(tcp.replies[0]!)
    expect(msg.flag_tc).toBe(false)
    const txt = msg.answers?.[0] as { data: Buffer[] }
    expect(Buffer.concat(txt.data).toString()).toBe(`v=STSv1; id=${'x'.repeat(4000)}`)
  })

  it('when an OPT sits outside the additional section, then FORMERR', async () => {
    const msg = dnsPacket.encode({
      type: 'query',
      id: 5,
      questions: [{ name: ORIGIN, type: 'SOA', class: 'IN' }],
      answers: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    })
    expect(rcodeOf((await ask(msg))!)).toBe(1)
  })
})
