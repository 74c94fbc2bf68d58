import dnsPacket from 'dns-packet'
import type { Answer, SoaAnswer } from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.js'
import { IxfrJournal } from '../../core/dns/ixfr-journal.js'
import { handleMessage } from './handle-query.js'
import {
  decode,
  frame,
  makeZone,
  ORIGIN,
  query,
  rcodeOf,
  soaCount,
  startHarness,
  tcpExchange,
  udpAsk,
  type Harness,
} from '../../../test/helpers/dns-kit.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function ixfr(serial: number, name = ORIGIN): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: 31,
    questions: [{ name, type: 'IXFR', class: 'IN' }],
    authorities: [
      {
        name,
        type: 'SOA',
        class: 'IN',
        ttl: 0,
        data: {
          mname: 'x',
          rname: 'y',
          serial,
          refresh: 0,
          retry: 0,
          expire: 0,
          minimum: 0,
        },
      },
    ],
  })
}

/** Every record of a transfer, across its messages. */
const records = (replies: Buffer[]): Answer[] => replies.flatMap((r) => decode(r).answers ?? [])
const serialOf = (r: Answer | undefined) => (r as SoaAnswer).data.serial

/** The engine's way of changing the zone: put, bump the serial, journal the delta. */
function change(harness: Harness, label: string, id: string): void {
  const zone = harness.holder.zone
  const from = zone.serial
  const diff = zone.put({ label, mtaSts: `v=STSv1; id=${id}`, tlsRpt: null, bimi: [] })
  zone.serial = from + 1
  harness.journal.record({ fromSerial: from, toSerial: from + 1, ...diff })
}

describe('AXFR over TCP', () => {
  it('when an allowed secondary asks, then SOA … SOA arrives in several ≤16 KB authoritative messages, the question in the first only', async () => {
    h = await startHarness()
    for (let i = 0; i < 300; i++) {
      h.holder.zone.put({
        label: `d${i}`,
        mtaSts: `v=STSv1; id=${'i'.repeat(60)}${i}`,
        tlsRpt: null,
        bimi: [],
      })
    }
    const expected = h.holder.zone.all().length + 1
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(query(ORIGIN, 'AXFR'))], {
      until: soaCount(2),
    })
    expect(replies.length).toBeGreaterThan(1)
    for (const r of replies) {
      expect(r.length).toBeLessThanOrEqual(16 * 1024 + 512)
      expect(decode(r).flag_aa).toBe(true)
      expect(decode(r).id).toBe(4242)
    }
    expect(replies.map((r) => decode(r).questions?.length)).toEqual([
      1,
      ...Array(replies.length - 1).fill(0),
    ])
    const all = records(replies)
    expect(all).toHaveLength(expected)
    expect(all[0]?.type).toBe('SOA')
    expect(all.at(-1)?.type).toBe('SOA')
    expect(all.filter((r) => r.type === 'SOA')).toHaveLength(2)
    expect(all.some((r) => r.name === `d299._mta-sts.${ORIGIN}`)).toBe(true)
  })

  it('when a source outside transferAllow asks, then REFUSED and no records', async () => {
    h = await startHarness({ transferAllow: ['192.0.2.0/24', '2001:db8::/32'] })
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(query(ORIGIN, 'AXFR'))], {
      until: 1,
    })
    expect(rcodeOf(replies[0]!)).toBe(5)
    expect(decode(replies[0]!).answers).toEqual([])
  })

  it('when transferAllow is empty, then nobody may transfer', async () => {
    h = await startHarness({ transferAllow: [] })
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(ixfr(1))], { until: 1 })
    expect(rcodeOf(replies[0]!)).toBe(5)
  })

  it('when another zone is asked for, then REFUSED', async () => {
    h = await startHarness()
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(query('example.com', 'AXFR'))], {
      until: 1,
    })
    expect(rcodeOf(replies[0]!)).toBe(5)
  })

  it('when the zone changes after a transfer began, then the transfer still carries the snapshot it began with', () => {
    const zone = makeZone(100)
    let current = zone
    const handled = handleMessage(query(ORIGIN, 'AXFR'), {
      transport: 'tcp',
      zone: () => current,
      journal: new IxfrJournal(5),
      udpPayloadMax: 1232,
      mayTransfer: () => true,
      log: createLogger('error', () => {}),
      source: '127.0.0.1',
    })
    current = makeZone(200)
    zone.put({ label: 'late', mtaSts: 'v=STSv1; id=late', tlsRpt: null, bimi: [] })
    zone.serial = 101
    expect(handled.kind).toBe('stream')
    const messages = handled.kind === 'stream' ? [...handled.messages] : []
    const all = records(messages)
    expect(all.map((r) => r.type === 'SOA' && serialOf(r))).toContain(100)
    expect(all.some((r) => r.name.startsWith('late.'))).toBe(false)
    expect(serialOf(all[0])).toBe(100)
    expect(serialOf(all.at(-1))).toBe(100)
  })
})

describe('IXFR', () => {
  it('when the journal bridges the client serial, then the RFC 1995 §4 difference sequence', async () => {
    h = await startHarness()
    change(h, 'alpha', 'second') // 100 → 101
    change(h, 'beta', 'new') // 101 → 102
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(ixfr(100))], {
      until: soaCount(6),
    })
    const all = records(replies)
    const soas = all.filter((r) => r.type === 'SOA').map(serialOf)
    expect(soas).toEqual([102, 100, 101, 101, 102, 102])
    // 100 → 101 removes alpha's old TXT and adds the new one
    expect(all[1]?.type).toBe('SOA')
    expect(String((all[2] as { data: Buffer[] }).data[0])).toBe('v=STSv1; id=20261206')
  })

  it('when the client is current, then the single current SOA', async () => {
    h = await startHarness()
    change(h, 'alpha', 'second')
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(ixfr(101))], { until: 1 })
    expect(records(replies).map((r) => [r.type, serialOf(r)])).toEqual([['SOA', 101]])
  })

  it('when the journal cannot bridge the client serial, then the whole zone, AXFR-style', async () => {
    h = await startHarness()
    change(h, 'alpha', 'second')
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(ixfr(7))], {
      until: soaCount(2),
    })
    const all = records(replies)
    expect(all).toHaveLength(h.holder.zone.all().length + 1)
    expect(all.filter((r) => r.type === 'SOA').map(serialOf)).toEqual([101, 101])
  })

  it('when the IXFR carries no SOA in authority, then FORMERR', async () => {
    h = await startHarness()
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(query(ORIGIN, 'IXFR'))], {
      until: 1,
    })
    expect(rcodeOf(replies[0]!)).toBe(1)
  })

  it('over UDP: current → the SOA; behind → the SOA with TC=1 (retry over TCP, RFC 1995 §2); not allowed → REFUSED', async () => {
    h = await startHarness()
    change(h, 'alpha', 'second')
    const current = decode((await udpAsk(h.server.udpPort, ixfr(101)))!)
    expect(current.flag_tc).toBe(false)
    expect(current.answers?.map((r) => [r.type, serialOf(r)])).toEqual([['SOA', 101]])
    const behind = decode((await udpAsk(h.server.udpPort, ixfr(100)))!)
    expect(behind.flag_tc).toBe(true)
    expect(behind.answers?.map((r) => [r.type, serialOf(r)])).toEqual([['SOA', 101]])
    await h.close()
    h = await startHarness({ transferAllow: ['10.0.0.0/8'] })
    expect(rcodeOf((await udpAsk(h.server.udpPort, ixfr(100)))!)).toBe(5)
  })
})

describe('transfer edge cases', () => {
  it('when AXFR asks for class CH, then NOTIMP', async () => {
    h = await startHarness()
    const msg = query(ORIGIN, 'AXFR')
    msg.writeUInt16BE(3, msg.length - 2) // QCLASS CH
    const { replies } = await tcpExchange(h.server.tcpPort, [frame(msg)], { until: 1 })
    expect(rcodeOf(replies[0]!)).toBe(4)
  })
})
