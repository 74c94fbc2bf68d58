import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NewWebSession, SessionRepo } from '../../../core/web-sessions.js'
import { migrateDatabase, openDatabase, type OpenDb } from '../database.js'
import { sqliteRepos } from './index.js'

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

let db: OpenDb
let repo: SessionRepo
beforeEach(() => {
  db = openDatabase(':memory:')
  migrateDatabase(db)
  db.sqlite.exec(`
    INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0);
    INSERT INTO api_tokens (id, tenant_id, sha256, label, created_at) VALUES ('tok-a', 't1', 'ha', 'a', 0);
    INSERT INTO api_tokens (id, tenant_id, sha256, label, created_at) VALUES ('tok-b', 't1', 'hb', 'b', 0);
    INSERT INTO api_tokens (id, tenant_id, sha256, label, created_at) VALUES ('tok-op', NULL, 'ho', 'op', 0);
  `)
  repo = sqliteRepos(db).sessions
})
afterEach(() => db.close())

const ids = () =>
  (db.sqlite.prepare('SELECT id FROM web_sessions ORDER BY id').all() as { id: string }[]).map(
    (r) => r.id,
  )

describe('SessionRepo (SQLite)', () => {
  it('when a session is read, then it comes with its token tenant and revocation as they are now', async () => {
    await repo.create(session('s1', 'tok-a'))
    await repo.create(session('s2', 'tok-op'))
    expect(await repo.get('s1')).toEqual({
      ...session('s1', 'tok-a'),
      token: { tenantId: 't1', revokedAt: null },
    })
    expect((await repo.get('s2'))?.token).toEqual({ tenantId: null, revokedAt: null })
    db.sqlite
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?')
      .run(at(5).getTime(), 'tok-a')
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
    expect(ids()).toEqual(['s3'])
  })

  it('when the token row is deleted, then its sessions go with it (cascade)', async () => {
    await repo.create(session('s1', 'tok-a'))
    db.sqlite.prepare('DELETE FROM api_tokens WHERE id = ?').run('tok-a')
    expect(ids()).toEqual([])
  })

  it('when expired sessions are removed, then the absolute end counts and, if given, the idle cut-off', async () => {
    await repo.create(session('ended', 'tok-a', { expiresAt: at(60) }))
    await repo.create(session('idle', 'tok-a', { lastSeenAt: at(10) }))
    await repo.create(session('live', 'tok-a', { lastSeenAt: at(50) }))
    expect(await repo.removeExpired(at(60))).toBe(1)
    expect(ids()).toEqual(['idle', 'live'])
    expect(await repo.removeExpired(at(60), at(30))).toBe(1)
    expect(ids()).toEqual(['live'])
  })
})
