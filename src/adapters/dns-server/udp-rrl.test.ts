import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  decode,
  frame,
  ORIGIN,
  query,
  startHarness,
  tcpExchange,
  udpAsk,
  udpCollect,
  type Harness,
} from '../../../test/helpers/dns-kit.js'

let h: Harness
beforeAll(async () => {
  // 5 responses a second per network, a 1 s bucket, every 2nd limited response slips.
  h = await startHarness({ rrl: { responsesPerSecond: 5, window: 1, slip: 2, maxEntries: 100 } })
})
afterAll(() => h.close())

const ask = () => query(`alpha._mta-sts.${ORIGIN}`, 'TXT', { id: 77 })

describe('response-rate limiting on UDP', () => {
  it('when one source bursts, then most replies are dropped or slipped while another network is still answered; later the source is answered again', async () => {
    // The clock stands still during the burst: no tokens refill.
    const burst = await udpCollect(h.server.udpPort, Array(40).fill(ask()), { waitMs: 300 })
    const full = burst.filter((r) => !decode(r).flag_tc)
    const slipped = burst.filter((r) => decode(r).flag_tc)
    expect(full).toHaveLength(5)
    // 35 limited: every 2nd slips (17), the rest are dropped.
    expect(slipped.length).toBe(17)
    for (const r of slipped) {
      // A slip is header and question only: nothing to amplify.
      const msg = decode(r)
      expect(msg.answers).toEqual([])
      expect(msg.questions).toHaveLength(1)
      expect(msg.id).toBe(77)
    }

    // 127.1.0.1 is another /24, so another bucket.
    const other = await udpAsk(h.server.udpPort, ask(), { from: '127.1.0.1' })
    expect(decode(other!).answers).toHaveLength(1)

    // TCP is never limited.
    const tcp = await tcpExchange(h.server.tcpPort, [frame(ask())], { until: 1 })
    expect(decode(tcp.replies[0]!).answers).toHaveLength(1)

    h.clock.now += 1000 // a second later the bucket has refilled
    const again = await udpAsk(h.server.udpPort, ask())
    expect(decode(again!).answers).toHaveLength(1)
  })
})
