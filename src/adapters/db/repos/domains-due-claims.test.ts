import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import { CLAIM_CHECK_GAP, claimCheckDue } from '../../../core/domain-claim.js'
import type { DomainRepo } from '../../../core/ports.js'
import { domainRepo as pgDomainRepo } from '../../pg/repos/domains.js'
import { domainRepo } from './domains.js'

const MIN = 60_000
const HOUR = 60 * MIN
const NOW = Date.UTC(2026, 5, 1, 12)

interface Row {
  name: string
  /** ms since the claim was made, at its last check (null: never checked). */
  age: number | null
  /** ms from its last check to NOW. */
  elapsed?: number
  status?: 'pending' | 'active' | 'retiring'
  /** claim_expires_at relative to NOW (default: an hour later). */
  expiresIn?: number
}

async function world(store: TestStore, rows: Row[]) {
  await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
  const insert = `INSERT INTO domains (id, tenant_id, name, status, created_at, claim_expires_at, last_check_at)
     VALUES (?, 't1', ?, ?, ?, ?, ?)`
  const claims = []
  for (const r of rows) {
    const lastCheckAt = r.age === null ? null : NOW - (r.elapsed ?? 0)
    // A never-checked claim was made `elapsed` ago.
    const createdAt = lastCheckAt === null ? NOW - (r.elapsed ?? 0) : lastCheckAt - r.age!
    const expiresAt = NOW + (r.expiresIn ?? HOUR)
    await store.sql(
      insert,
      r.name,
      r.name,
      r.status ?? 'pending',
      createdAt,
      expiresAt,
      lastCheckAt,
    )
    claims.push({
      ...r,
      createdAt: new Date(createdAt),
      lastCheckAt: lastCheckAt === null ? null : new Date(lastCheckAt),
      expiresAt,
    })
  }
  const repo: DomainRepo = store.sqlite ? domainRepo(store.sqlite.db) : pgDomainRepo(store.pg.db)
  return { repo, claims }
}

const names = (rows: { name: string }[]) => rows.map((r) => r.name)

describe.each(STORE_KINDS)('%s store: DomainRepo.dueClaims', (kind) => {
  let store: TestStore
  beforeEach(async () => {
    store = await openTestStore(kind)
  })
  afterEach(() => store.close())

  // [case, age at last check (ms), ms since last check, due]
  const gapCases: [string, number | null, number, boolean][] = [
    ['never checked', null, 0, true],
    ['young: just before the 2-min minimum gap', 0, 2 * MIN - 1, false],
    ['young: at the 2-min minimum gap', 0, 2 * MIN, true],
    ['young: after the 2-min minimum gap', 0, 2 * MIN + 1, true],
    ['age/4 just under the minimum: 2 min applies', 8 * MIN - 4, 2 * MIN - 1, false],
    ['age/4 just under the minimum: due at 2 min', 8 * MIN - 4, 2 * MIN, true],
    ['age/4 = the minimum exactly, just before', 8 * MIN, 2 * MIN - 1, false],
    ['age/4 = the minimum exactly, at', 8 * MIN, 2 * MIN, true],
    ['middle (age 40 min → 10 min): just before', 40 * MIN, 10 * MIN - 1, false],
    ['middle (age 40 min → 10 min): at', 40 * MIN, 10 * MIN, true],
    ['middle (age 40 min → 10 min): after', 40 * MIN, 10 * MIN + 1, true],
    [
      'middle, age not a multiple of 4 (gap 10 min + ¼ ms): at the whole ms',
      40 * MIN + 1,
      10 * MIN,
      false,
    ],
    [
      'middle, age not a multiple of 4 (gap 10 min + ¼ ms): the ms after',
      40 * MIN + 1,
      10 * MIN + 1,
      true,
    ],
    ['age/4 = the 60-min cap exactly, just before', 4 * HOUR, HOUR - 1, false],
    ['age/4 = the 60-min cap exactly, at', 4 * HOUR, HOUR, true],
    ['capped (age 48 h → 60 min, not 12 h): just before', 48 * HOUR, HOUR - 1, false],
    ['capped (age 48 h → 60 min, not 12 h): at', 48 * HOUR, HOUR, true],
    ['capped (age 48 h → 60 min, not 12 h): after', 48 * HOUR, HOUR + 1, true],
  ]

  it.each(gapCases)(
    'when the claim is %s, then the SQL and claimCheckDue agree',
    async (_, age, elapsed, due) => {
      const { repo, claims } = await world(store, [{ name: 'c.example', age, elapsed }])
      expect(claimCheckDue(claims[0]!, new Date(NOW))).toBe(due)
      expect(names(await repo.dueClaims(new Date(NOW), 10))).toEqual(due ? ['c.example'] : [])
    },
  )

  it('when all the boundary claims sit in one table, then the SQL selects exactly those claimCheckDue calls due', async () => {
    const rows = gapCases.map(([, age, elapsed], i) => ({ name: `c${i}.example`, age, elapsed }))
    const { repo, claims } = await world(store, rows)
    const want = claims.filter((c) => claimCheckDue(c, new Date(NOW))).map((c) => c.name)
    const got = names(await repo.dueClaims(new Date(NOW), 100))
    expect([...got].sort()).toEqual([...want].sort())
  })

  it.each([
    ['expired before now', { expiresIn: -1 }],
    ['expiring at now', { expiresIn: 0 }],
    ['active', { status: 'active' as const }],
    ['retiring', { status: 'retiring' as const }],
  ])('when a claim that would be due is %s, then it is not selected', async (_, extra) => {
    const { repo } = await world(store, [
      { name: 'never.example', age: null, ...extra },
      { name: 'stale.example', age: 48 * HOUR, elapsed: 2 * HOUR, ...extra },
      { name: 'live.example', age: null },
    ])
    expect(names(await repo.dueClaims(new Date(NOW), 10))).toEqual(['live.example'])
  })

  it('when claims fell due at different times, then never-checked come first (oldest claim first), then by when each fell due', async () => {
    const { repo } = await world(store, [
      // Fell due 1 min ago (gap 60 min, checked 61 min ago).
      { name: 'capped.example', age: 48 * HOUR, elapsed: HOUR + MIN },
      // Fell due 8 min ago (gap 2 min, checked 10 min ago).
      { name: 'young.example', age: 0, elapsed: 10 * MIN },
      // Fell due 5 min ago (gap 10 min, checked 15 min ago).
      { name: 'middle.example', age: 40 * MIN, elapsed: 15 * MIN },
      { name: 'new.example', age: null, elapsed: MIN },
      { name: 'older-new.example', age: null, elapsed: 5 * MIN },
      // Not due: checked longer ago than any of them, but on an hourly gap.
      { name: 'stale.example', age: 48 * HOUR, elapsed: 59 * MIN },
    ])
    expect(names(await repo.dueClaims(new Date(NOW), 10))).toEqual([
      'older-new.example',
      'new.example',
      'young.example',
      'middle.example',
      'capped.example',
    ])
    expect(names(await repo.dueClaims(new Date(NOW), 3))).toEqual([
      'older-new.example',
      'new.example',
      'young.example',
    ])
  })

  it('when many claims checked longer ago are not due, then the limit still reaches the one that is', async () => {
    const stale = Array.from({ length: 20 }, (_, i) => ({
      name: `stale${i}.example`,
      age: 4 * HOUR,
      elapsed: 30 * MIN,
    }))
    const { repo } = await world(store, [
      ...stale,
      { name: 'young.example', age: MIN, elapsed: 3 * MIN },
    ])
    expect(names(await repo.dueClaims(new Date(NOW), 1))).toEqual(['young.example'])
  })

  it('when the gap constants change, then the boundary table above must follow them', () => {
    expect(CLAIM_CHECK_GAP).toEqual({ minMs: 2 * MIN, maxMs: HOUR, divisor: 4 })
  })
})
