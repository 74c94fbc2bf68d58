import { describe, expect, it } from 'vitest'
import {
  backoffMs,
  BACKOFF_MAX_MS,
  EMERGENCY_BACKOFF_MAX_MS,
  inEmergencyWindow,
  jitterFraction,
  nextAttemptAt,
  renewAt,
} from './renewal.js'

const DAY = 86_400_000
const t0 = new Date('2026-01-01T00:00:00Z')
const ninetyDays = { notBefore: t0, notAfter: new Date(t0.getTime() + 90 * DAY) }

describe('renewAt', () => {
  it.each([
    ['no jitter', 0, 60 * DAY],
    ['half jitter', 0.5, 60 * DAY - (90 * DAY) / 24],
    ['jitter clamped below 1', 5, 60 * DAY - ((90 * DAY) / 12) * 0.999],
  ])(
    'when %s, then renewal is a third of the lifetime before expiry, less the spread',
    (_, j, at) => {
      expect(renewAt(ninetyDays, j).getTime()).toBe(t0.getTime() + at)
    },
  )

  it('when the jitter seeds differ, then renewal times of equal certificates differ', () => {
    const a = renewAt(ninetyDays, jitterFraction('mta-sts.a.example|01'))
    const b = renewAt(ninetyDays, jitterFraction('mta-sts.b.example|01'))
    expect(a.getTime()).not.toBe(b.getTime())
  })
})

describe('jitterFraction', () => {
  it.each(['', 'a', 'mta-sts.example.com', 'x'.repeat(300)])(
    'when seeded with %j, then it is stable and in [0,1)',
    (s) => {
      const j = jitterFraction(s)
      expect(j).toBe(jitterFraction(s))
      expect(j).toBeGreaterThanOrEqual(0)
      expect(j).toBeLessThan(1)
    },
  )
})

describe('backoffMs', () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [9, 256 * 60_000],
    [10, BACKOFF_MAX_MS],
    [60, BACKOFF_MAX_MS],
  ])('when %i failures in a row, then wait %i ms (no jitter)', (failures, ms) => {
    expect(backoffMs(failures, 0, false)).toBe(ms)
  })

  it('when in the emergency window, then waits are capped at 15 minutes', () => {
    expect(backoffMs(30, 0, true)).toBe(EMERGENCY_BACKOFF_MAX_MS)
    expect(backoffMs(1, 0, true)).toBe(60_000)
  })

  it('when jitter is at most 1, then the wait shrinks by at most 10 %', () => {
    expect(backoffMs(10, 1, false)).toBe(BACKOFF_MAX_MS * 0.9)
  })
})

describe('inEmergencyWindow', () => {
  it.each([
    ['plenty left', 40, false],
    ['exactly a tenth left', 81, true],
    ['expired', 91, true],
  ])('when %s of a 90-day certificate, then %s', (_, day, expected) => {
    expect(inEmergencyWindow(ninetyDays, new Date(t0.getTime() + day * DAY))).toBe(expected)
  })

  it('when a 7-day certificate has 20 hours left, then it is in the emergency window', () => {
    const week = { notBefore: t0, notAfter: new Date(t0.getTime() + 7 * DAY) }
    expect(inEmergencyWindow(week, new Date(week.notAfter.getTime() - 20 * 3_600_000))).toBe(true)
    expect(inEmergencyWindow(week, new Date(t0.getTime() + 2 * DAY))).toBe(false)
  })
})

describe('nextAttemptAt', () => {
  it('when there is no certificate yet, then the normal ladder applies', () => {
    expect(nextAttemptAt(t0, 12, 0, null).getTime()).toBe(t0.getTime() + BACKOFF_MAX_MS)
  })

  it('when the current certificate is about to expire, then retries come sooner', () => {
    const now = new Date(ninetyDays.notAfter.getTime() - DAY)
    expect(nextAttemptAt(now, 12, 0, ninetyDays).getTime()).toBe(
      now.getTime() + EMERGENCY_BACKOFF_MAX_MS,
    )
  })
})
