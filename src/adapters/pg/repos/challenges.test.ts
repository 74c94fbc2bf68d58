import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { ChallengeStore } from '../../../core/certs/types.js'
import { challengeStore as sqliteChallengeStore } from '../../db/repos/challenges.js'
import { challengeStore } from './challenges.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

describe.each(STORE_KINDS)('ChallengeStore (%s store)', (kind) => {
  let store: TestStore
  let challenges: ChallengeStore
  beforeEach(async () => {
    store = await openTestStore(kind)
    challenges =
      store.kind === 'sqlite' ? sqliteChallengeStore(store.sqlite.db) : challengeStore(store.pg.db)
  })
  afterEach(() => store.close())

  it('when a challenge is put, then it is answered until it expires and not at its expiry', async () => {
    await challenges.put('tok-1', 'tok-1.thumb', at(10))
    expect(await challenges.get('tok-1', at(9))).toBe('tok-1.thumb')
    expect(await challenges.get('tok-1', at(10))).toBeNull()
    expect(await challenges.get('other', T0)).toBeNull()
  })

  it('when the same token is put again, then the new key authorization and expiry replace the old', async () => {
    await challenges.put('tok-1', 'old', at(1))
    await challenges.put('tok-1', 'new', at(20))
    expect(await challenges.get('tok-1', at(5))).toBe('new')
  })

  it('when two instances put one token at once, then neither fails and one value is kept', async () => {
    const results = await Promise.allSettled([
      challenges.put('tok-1', 'a', at(10)),
      challenges.put('tok-1', 'b', at(10)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(['a', 'b']).toContain(await challenges.get('tok-1', T0))
  })

  it('when removed, then it is no longer answered and removing again is harmless', async () => {
    await challenges.put('tok-1', 'tok-1.thumb', at(10))
    await challenges.put('tok-2', 'tok-2.thumb', at(10))
    await challenges.remove('tok-1')
    await challenges.remove('tok-1')
    expect(await challenges.get('tok-1', T0)).toBeNull()
    expect(await challenges.get('tok-2', T0)).toBe('tok-2.thumb')
  })
})
