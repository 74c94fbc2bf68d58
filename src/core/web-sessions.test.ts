import { describe, expect, it } from 'vitest'
import {
  sessionVerdict,
  shouldTouch,
  type SessionVerdict,
  type StoredWebSession,
} from './web-sessions.js'

const T0 = Date.UTC(2026, 11, 1, 10)
const min = (m: number) => new Date(T0 + m * 60_000)
const LIMITS = { idleMs: 30 * 60_000, maxMs: 120 * 60_000 }

const stored = (o: {
  lastSeen?: number
  expires?: number
  revoked?: number
}): StoredWebSession => ({
  id: 'h',
  tokenId: 'tok',
  csrf: 'c',
  createdAt: min(0),
  lastSeenAt: min(o.lastSeen ?? 0),
  expiresAt: min(o.expires ?? 120),
  token: { tenantId: 't', revokedAt: o.revoked === undefined ? null : min(o.revoked) },
})

describe('sessionVerdict', () => {
  it.each<[string, Parameters<typeof stored>[0], number, SessionVerdict]>([
    ['fresh', {}, 1, 'live'],
    ['idle exactly the limit', { lastSeen: 10 }, 40, 'live'],
    ['idle past the limit', { lastSeen: 10 }, 40.001, 'idle'],
    ['at its absolute end', { lastSeen: 119 }, 120, 'expired'],
    [
      'before a stored end later than the configured maximum',
      { lastSeen: 119, expires: 600 },
      120,
      'expired',
    ],
    ['before an earlier stored end', { lastSeen: 59, expires: 60 }, 60, 'expired'],
    ['revoked while live', { revoked: 5 }, 6, 'revoked'],
    ['revoked and also idle and expired', { revoked: 5 }, 500, 'revoked'],
  ])('when %s, then %s', (_, session, at, verdict) => {
    expect(sessionVerdict(stored(session), min(at), LIMITS)).toBe(verdict)
  })
})

describe('shouldTouch', () => {
  it.each([
    [0, false],
    [59_999, false],
    [60_000, true],
  ])('when %i ms have passed since the last one, then %s', (ms, touch) => {
    expect(shouldTouch({ lastSeenAt: min(0) }, new Date(T0 + ms))).toBe(touch)
  })
})
