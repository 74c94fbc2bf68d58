import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { AuditEntry, NewToken, TokenRepo } from '../../../core/ports.js'
import { tokenRepo as sqliteTokenRepo } from '../../db/repos/tokens.js'
import { tokenRepo } from './tokens.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const token = (id: string, o: Partial<NewToken> = {}): NewToken => ({
  id,
  tenantId: 't1',
  label: `label ${id}`,
  sha256: `hash-${id}`,
  createdAt: T0,
  ...o,
})
const audit = (action: string): AuditEntry => ({
  at: T0,
  tenantId: null,
  actorTokenId: null,
  action,
  subject: 'token',
})

describe.each(STORE_KINDS)('TokenRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: TokenRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'bravo', 0)")
    repo = store.kind === 'sqlite' ? sqliteTokenRepo(store.sqlite.db) : tokenRepo(store.pg.db)
  })
  afterEach(() => store.close())

  // Opens pool connections ahead, so the racers below really overlap on PostgreSQL instead of
  // the first finishing while the second is still connecting.
  const warm = () => Promise.all([1, 2, 3, 4].map(() => store.sql('SELECT 1')))
  const audits = async () =>
    (await store.sql<{ action: string }>('SELECT action FROM audit_log ORDER BY id')).map(
      (r) => r.action,
    )
  const live = async () =>
    (
      await store.sql<{ id: string }>(
        'SELECT id FROM api_tokens WHERE revoked_at IS NULL ORDER BY id',
      )
    ).map((r) => r.id)

  it('when a token is created, then it is found by hash and by id, and the write is audited', async () => {
    await repo.create(token('a'), audit('token.create'))
    const publicView = {
      id: 'a',
      tenantId: 't1',
      label: 'label a',
      createdAt: T0,
      lastUsedAt: null,
      revokedAt: null,
    }
    expect(await repo.byId('a')).toEqual(publicView)
    expect(await repo.byHash('hash-a')).toEqual({ ...publicView, sha256: 'hash-a' })
    expect(await repo.byId('missing')).toBeNull()
    expect(await repo.byHash('missing')).toBeNull()
    expect(await audits()).toEqual(['token.create'])
  })

  it('when a token reuses a hash, then CONFLICT and neither the row nor the audit is written', async () => {
    await repo.create(token('a'), audit('token.create'))
    await expect(
      repo.create(token('b', { sha256: 'hash-a' }), audit('token.create')),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await repo.byId('b')).toBeNull()
    expect(await audits()).toEqual(['token.create'])
  })

  it('when touched, then only last_used_at changes', async () => {
    await repo.create(token('a'), audit('token.create'))
    await repo.touch('a', at(5))
    expect(await repo.byId('a')).toMatchObject({ lastUsedAt: at(5), revokedAt: null })
  })

  it('when revoked twice, then the first revocation time stays', async () => {
    await repo.create(token('a'), audit('token.create'))
    await repo.revoke('a', at(1), audit('token.revoke'))
    await repo.revoke('a', at(2), audit('token.revoke'))
    expect((await repo.byId('a'))?.revokedAt).toEqual(at(1))
  })

  it('when listed, then the scope holds and pages follow (created, id) with ids in byte order', async () => {
    // 'B' < 'a' < 'b' bytewise; a locale collation would put 'a' first.
    await repo.create(token('a'), audit('c'))
    await repo.create(token('B'), audit('c'))
    await repo.create(token('b', { createdAt: at(-1) }), audit('c'))
    await repo.create(token('op', { tenantId: null, createdAt: at(-2) }), audit('c'))
    await repo.create(token('other', { tenantId: 't2' }), audit('c'))
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id)

    expect(ids(await repo.list(undefined, null, 10))).toEqual(['op', 'b', 'B', 'a', 'other'])
    expect(ids(await repo.list(null, null, 10))).toEqual(['op'])
    const first = await repo.list('t1', null, 2)
    expect(ids(first)).toEqual(['b', 'B'])
    const last = first[first.length - 1]!
    expect(ids(await repo.list('t1', { at: last.createdAt.getTime(), id: last.id }, 2))).toEqual([
      'a',
    ])
  })

  it('when a live token is rotated, then it is revoked and the next one is live; a second rotation is refused', async () => {
    await repo.create(token('a'), audit('token.create'))
    expect(await repo.rotate('a', at(1), token('a2'), audit('token.rotate'))).toBe(true)
    expect(await repo.rotate('a', at(2), token('a3'), audit('token.rotate'))).toBe(false)
    expect(await live()).toEqual(['a2'])
    expect((await repo.byId('a'))?.revokedAt).toEqual(at(1))
    expect(await audits()).toEqual(['token.create', 'token.rotate'])
  })

  it('when two rotations of one token run at once, then exactly one succeeds', async () => {
    await warm()
    for (const round of [1, 2, 3, 4, 5]) {
      const id = `r${round}`
      await repo.create(token(id), audit('token.create'))
      const results = await Promise.all([
        repo.rotate(id, at(1), token(`${id}-x`), audit('token.rotate')),
        repo.rotate(id, at(1), token(`${id}-y`), audit('token.rotate')),
      ])
      expect(results.filter(Boolean)).toHaveLength(1)
    }
    expect(await live()).toHaveLength(5)
    expect(await audits()).toHaveLength(10)
  })

  it('when the next token of a rotation conflicts, then CONFLICT and the old token stays live', async () => {
    await repo.create(token('a'), audit('token.create'))
    await repo.create(token('b'), audit('token.create'))
    await expect(
      repo.rotate('a', at(1), token('a2', { sha256: 'hash-b' }), audit('token.rotate')),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await live()).toEqual(['a', 'b'])
  })

  it('when the env operator token is replaced, then only the newest value is live; the same value again changes nothing', async () => {
    const env = (id: string, minutes: number) =>
      token(id, { tenantId: null, sha256: `env-${id.slice(0, 2)}`, createdAt: at(minutes) })
    expect(await repo.replaceEnvOperator(env('e1', 0), audit('env'))).toBe(true)
    expect(await repo.replaceEnvOperator(env('e1-again', 1), audit('env'))).toBe(false)
    // A token created through the API (not from env) is never revoked by the bootstrap.
    await repo.create(token('api-op', { tenantId: null }), audit('token.create'))
    expect(await repo.replaceEnvOperator(env('e2', 2), audit('env'))).toBe(true)
    expect(await live()).toEqual(['api-op', 'e2'])
    expect((await repo.byId('e1'))?.revokedAt).toEqual(at(2))
    await expect(repo.replaceEnvOperator(env('e1', 3), audit('env'))).rejects.toThrow(/was revoked/)
    expect(await audits()).toEqual(['env', 'token.create', 'env'])
  })

  it('when two instances bootstrap the same env token at once, then one writes it and the other finds it done', async () => {
    await warm()
    for (const round of [1, 2, 3, 4, 5]) {
      const env = token(`e${round}`, { tenantId: null, sha256: `env-${round}` })
      const results = await Promise.all([
        repo.replaceEnvOperator(env, audit('env')),
        repo.replaceEnvOperator({ ...env, id: `e${round}-b` }, audit('env')),
      ])
      expect(results.sort()).toEqual([false, true])
      // The previous round's value is revoked by this one: one live row, this round's.
      const [only, ...more] = await live()
      expect(more).toEqual([])
      expect([`e${round}`, `e${round}-b`]).toContain(only)
    }
  })

  it('when two instances bootstrap different env tokens at once, then exactly one stays live', async () => {
    await warm()
    for (const round of [1, 2, 3, 4, 5]) {
      const results = await Promise.all([
        repo.replaceEnvOperator(
          token(`x${round}`, { tenantId: null, sha256: `x${round}` }),
          audit('env'),
        ),
        repo.replaceEnvOperator(
          token(`y${round}`, { tenantId: null, sha256: `y${round}` }),
          audit('env'),
        ),
      ])
      expect(results).toEqual([true, true])
      expect(await live()).toHaveLength(1)
    }
  })
})
