import { describe, expect, it } from 'vitest'
import { networkKey, ResponseRateLimiter, type RateDecision } from './rrl.js'

const limiter = (over: Partial<ConstructorParameters<typeof ResponseRateLimiter>[0]> = {}) =>
  new ResponseRateLimiter({
    responsesPerSecond: 5,
    window: 2,
    slip: 2,
    maxEntries: 1000,
    ...over,
  })
const burst = (rrl: ResponseRateLimiter, source: string, n: number, at = 0): RateDecision[] =>
  Array.from({ length: n }, () => rrl.check(source, at))

describe('networkKey', () => {
  it.each([
    ['192.0.2.1', '192.0.2'],
    ['192.0.2.254', '192.0.2'],
    ['::ffff:192.0.2.7', '192.0.2'], // RFC 4291 §2.5.5.2: IPv4-mapped
    ['::ffff:c000:207', '192.0.2'],
    ['2001:db8:1:2300::1', '2001:db8:1:2300::'],
    ['2001:db8:1:23ff:ffff::9', '2001:db8:1:2300::'], // same /56
    ['2001:0db8:0001:23ab:0:0:0:1', '2001:db8:1:2300::'],
    ['2001:db8:1:2400::1', '2001:db8:1:2400::'], // next /56
    ['fe80::1%eth0', 'fe80:0:0:0::'],
    ['::1', '0:0:0:0::'],
    ['not-an-address:x', 'not-an-address:x'],
  ])('when the source is %s, then its network is %s', (source, key) => {
    expect(networkKey(source)).toBe(key)
  })
})

describe('ResponseRateLimiter', () => {
  it('when a network stays within its burst, then everything is sent', () => {
    expect(burst(limiter(), '192.0.2.1', 10)).toEqual(Array(10).fill('send'))
  })

  it('when the burst is spent, then every slip-th limited response slips, others drop', () => {
    const out = burst(limiter(), '192.0.2.1', 16)
    expect(out.slice(0, 10)).toEqual(Array(10).fill('send'))
    expect(out.slice(10)).toEqual(['drop', 'slip', 'drop', 'slip', 'drop', 'slip'])
  })

  it.each([
    [0, ['drop', 'drop', 'drop', 'drop']],
    [1, ['slip', 'slip', 'slip', 'slip']],
    [3, ['drop', 'drop', 'slip', 'drop']],
  ])('when slip is %i, then limited responses go %j', (slip, expected) => {
    expect(burst(limiter({ slip }), '192.0.2.1', 14).slice(10)).toEqual(expected)
  })

  it('when addresses share a /24 or /56, then they share one bucket', () => {
    const rrl = limiter()
    burst(rrl, '192.0.2.1', 10)
    expect(rrl.check('192.0.2.200', 0)).not.toBe('send')
    expect(rrl.check('::ffff:192.0.2.9', 0)).not.toBe('send')
    expect(rrl.check('192.0.3.1', 0)).toBe('send')
    burst(rrl, '2001:db8:0:100::1', 10)
    expect(rrl.check('2001:db8:0:1ff::2', 0)).not.toBe('send')
    expect(rrl.check('2001:db8:0:200::1', 0)).toBe('send')
  })

  it('when time passes, then tokens come back at the rate, up to the burst', () => {
    const rrl = limiter()
    burst(rrl, '192.0.2.1', 10, 0)
    expect(rrl.check('192.0.2.1', 100)).toBe('drop') // 0.5 token: not yet
    expect(rrl.check('192.0.2.1', 200)).toBe('send') // 1 token at 5/s
    expect(rrl.check('192.0.2.1', 200)).toBe('slip')
    // A long pause refills to rate × window = 10, no more.
    expect(burst(rrl, '192.0.2.1', 11, 60_000)).toEqual([...Array(10).fill('send'), 'drop'])
  })

  it('when the clock steps back, then no tokens are earned twice', () => {
    const rrl = limiter()
    burst(rrl, '192.0.2.1', 10, 1000)
    expect(rrl.check('192.0.2.1', 0)).toBe('drop')
    expect(rrl.check('192.0.2.1', 1000)).toBe('slip')
  })

  it('when responsesPerSecond is 0, then limiting is off and nothing is tracked', () => {
    const rrl = limiter({ responsesPerSecond: 0 })
    expect(burst(rrl, '192.0.2.1', 1000)).toEqual(Array(1000).fill('send'))
    expect(rrl.size).toBe(0)
  })

  it('when many sources appear, then the table stays bounded and the least recent go', () => {
    const rrl = limiter({ maxEntries: 100 })
    burst(rrl, '198.51.100.1', 10) // the flooded victim, spent
    for (let i = 0; i < 1000; i++) {
      rrl.check(`10.${i >> 8}.${i & 255}.1`, 0)
      // The victim keeps sending, so it stays recent and keeps its spent bucket.
      if (i % 50 === 0) rrl.check('198.51.100.1', 0)
    }
    expect(rrl.size).toBe(100)
    expect(rrl.check('198.51.100.1', 0)).not.toBe('send')
    // The first forged networks were evicted: they start with a full bucket again.
    expect(rrl.check('10.0.0.1', 0)).toBe('send')
  })
})
