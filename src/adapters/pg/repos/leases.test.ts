/**
 * Job leases (core/leases.ts) on both stores, the same calls and answers: one holder, tokens
 * that only grow, expiry as the way a dead holder's lease passes on, and — on PostgreSQL, where
 * transactions interleave — one winner among many instances racing for a free lease.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { LeaseRepo } from '../../../core/leases.js'
import { leaseRepo as sqliteLeases } from '../../db/repos/leases.js'
import { leaseRepo as pgLeases } from './leases.js'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'

const T0 = new Date('2026-12-06T12:00:00Z')
const at = (s: number) => new Date(T0.getTime() + s * 1000)

describe.each(STORE_KINDS)('%s store: job leases', (kind) => {
  let store: TestStore
  let leases: LeaseRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    leases = store.kind === 'sqlite' ? sqliteLeases(store.sqlite.db) : pgLeases(store.pg.db)
  })
  afterEach(() => store.close())

  test('when a lease is free, then one owner takes it and another is refused until it expires', async () => {
    const a = await leases.acquire('checks', 'a', T0, at(60))
    expect(a).toEqual({ name: 'checks', owner: 'a', token: 1, until: at(60) })
    expect(await leases.acquire('checks', 'b', at(30), at(90))).toBeNull()
    // At `until` it is free again: the holder died, another takes over with a newer token.
    const b = await leases.acquire('checks', 'b', at(60), at(120))
    expect(b?.token).toBe(2)
    expect(await leases.acquire('other-job', 'b', T0, at(60))).toMatchObject({ token: 1 })
  })

  test('when the holder takes its lease again, then it gets it with a newer token', async () => {
    const first = await leases.acquire('alerts', 'a', T0, at(60))
    const again = await leases.acquire('alerts', 'a', at(10), at(70))
    expect(again?.token).toBe((first?.token ?? 0) + 1)
  })

  test('when a newer holder exists, then the old token can neither renew nor release it', async () => {
    const old = await leases.acquire('prune', 'a', T0, at(10))
    const next = await leases.acquire('prune', 'b', at(10), at(70))
    expect(old && next).toBeTruthy()
    expect(await leases.renew(old!, at(100))).toBe(false)
    await leases.release(old!, at(10))
    // b's lease is untouched: a third owner is still refused before b's until.
    expect(await leases.acquire('prune', 'c', at(60), at(120))).toBeNull()
    expect(await leases.renew(next!, at(200))).toBe(true)
    expect(await leases.acquire('prune', 'c', at(150), at(250))).toBeNull()
  })

  test('when the holder releases to the next period, then nobody takes it before then, anybody after', async () => {
    const lease = await leases.acquire('claims', 'a', T0, at(600))
    await leases.release(lease!, at(120))
    expect(await leases.acquire('claims', 'b', at(30), at(600))).toBeNull()
    expect(await leases.acquire('claims', 'b', at(120), at(600))).toMatchObject({ owner: 'b' })
  })

  test('when eight instances race for a free lease, then exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const now = at(round * 100)
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          leases.acquire('race', `i${i}`, now, at(round * 100 + 50)),
        ),
      )
      expect(results.filter((r) => r !== null)).toHaveLength(1)
    }
    const [row] = await store.sql<{ token: number }>(
      'SELECT token FROM job_leases WHERE name = ?',
      'race',
    )
    expect(Number(row?.token)).toBe(5)
  })
})
