import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { NewWebSession, SessionRepo } from '../../../core/web-sessions.js'
import { webSessionRepo as pgWebSessionRepo } from '../../pg/repos/web-sessions.js'
import { webSessionRepo } from './web-sessions.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const session = (id: string, tokenId: string, o: Partial<NewWebSession> = {}): NewWebSession => ({
  id,
  tokenId,
  csrf: `csrf-${id}`,
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt: at(120),
  ...o,
})

describe.each(STORE_KINDS)('SessionRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: SessionRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    for (const [id, tenant, hash] of [
      ['tok-a', 't1', 'ha'],
      ['tok-b', 't1', 'hb'],
      ['tok-op', null, 'ho'],
    ]) {
      await store.sql(
        'INSERT INTO api_tokens (id, tenant_id, sha256, label, created_at) VALUES (?, ?, ?, ?, 0)',
        id,
        tenant,
        hash,
        id,
      )
    }
    repo = store.kind === 'sqlite' ? webSessionRepo(store.sqlite.db) : pgWebSessionRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const ids = async () =>
    (await store.sql<{ id: string }>('SELECT id FROM web_sessions ORDER BY id')).map((r) => r.id)

  it('when a session is read, then it comes with its token tenant and revocation as they are now', async () => {
    await repo.create(session('s1', 'tok-a'))
    await repo.create(session('s2', 'tok-op'))
    expect(await repo.get('s1')).toEqual({
      ...session('s1', 'tok-a'),
      token: { tenantId: 't1', revokedAt: null },
    })
    expect((await repo.get('s2'))?.token).toEqual({ tenantId: null, revokedAt: null })
    await store.sql('UPDATE api_tokens SET revoked_at = ? WHERE id = ?', at(5).getTime(), 'tok-a')
    expect((await repo.get('s1'))?.token.revokedAt).toEqual(at(5))
    expect(await repo.get('missing')).toBeNull()
  })

  it('when touched, then last_seen_at moves and nothing else does; a removed session stays removed', async () => {
    await repo.create(session('s1', 'tok-a'))
    await repo.touch('s1', at(3))
    expect(await repo.get('s1')).toMatchObject({
      lastSeenAt: at(3),
      createdAt: T0,
      expiresAt: at(120),
    })
    expect(await repo.remove('s1')).toBe(true)
    await repo.touch('s1', at(4))
    expect(await repo.get('s1')).toBeNull()
    expect(await repo.remove('s1')).toBe(false)
  })

  it('when the sessions of one token are removed, then the other token keeps its own', async () => {
    await repo.create(session('s1', 'tok-a'))
    await repo.create(session('s2', 'tok-a'))
    await repo.create(session('s3', 'tok-b'))
    expect(await repo.removeForToken('tok-a')).toBe(2)
    expect(await ids()).toEqual(['s3'])
  })

  it('when the token row is deleted, then its sessions go with it (cascade)', async () => {
    await repo.create(session('s1', 'tok-a'))
    await store.sql('DELETE FROM api_tokens WHERE id = ?', 'tok-a')
    expect(await ids()).toEqual([])
  })

  it('when expired sessions are removed, then the absolute end counts and, if given, the idle cut-off', async () => {
    await repo.create(session('ended', 'tok-a', { expiresAt: at(60) }))
    await repo.create(session('idle', 'tok-a', { lastSeenAt: at(10) }))
    await repo.create(session('live', 'tok-a', { lastSeenAt: at(50) }))
    expect(await repo.removeExpired(at(60))).toBe(1)
    expect(await ids()).toEqual(['idle', 'live'])
    expect(await repo.removeExpired(at(60), at(30))).toBe(1)
    expect(await ids()).toEqual(['live'])
  })
})
