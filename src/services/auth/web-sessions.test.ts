import { afterEach, describe, expect, it } from 'vitest'
import { failure, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { createTenant } from '../tenants/tenants.js'
import { createToken, revokeToken } from './tokens.js'
import { pruneSessions, resolveSession, signIn, signOut } from './web-sessions.js'

let world: ServiceWorld
afterEach(() => world.close())

/** A world with SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=2 and tenant `alpha`'s token. */
async function setUp() {
  world = await serviceWorld({ SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '2' })
  const alpha = await createTenant(world.deps, world.operator, { name: 'alpha' })
  return { alpha }
}

const sessionRows = () =>
  world.store.sql<{ id: string; lastSeen: number }>(
    'SELECT id, last_seen_at AS "lastSeen" FROM web_sessions',
  )

describe('signIn', () => {
  it('when a live tenant token signs in, then a session for its tenant is stored by hash only', async () => {
    const { alpha } = await setUp()
    const s = await signIn(world.deps, `  ${alpha.token}\n`)
    expect(s.actor).toEqual({ kind: 'tenant', tenantId: alpha.id, tokenId: alpha.tokenId })
    expect(s.secret).not.toBe(alpha.token)
    expect(s.csrf).not.toBe(s.secret)
    const rows = await sessionRows()
    expect(rows).toEqual([
      { id: world.deps.sha256Hex(s.secret), lastSeen: world.clock.now().getTime() },
    ])
    expect(JSON.stringify(await world.store.sql('SELECT * FROM web_sessions'))).not.toContain(
      s.secret,
    )
    expect(world.logged('dashboard_sign_in')).toHaveLength(1)
  })

  it.each([
    ['an unknown token', 'ph_unknown'],
    ['an empty token', '   '],
    ['an overlong token', `ph_${'a'.repeat(300)}`],
  ])('when %s signs in, then UNAUTHORIZED with the one generic message', async (_, secret) => {
    await setUp()
    const err = await failure(signIn(world.deps, secret))
    expect([err.code, err.message]).toEqual([
      'UNAUTHORIZED',
      'sign-in failed: unknown or revoked token',
    ])
    expect(await sessionRows()).toEqual([])
  })

  it('when a revoked token signs in, then the same UNAUTHORIZED message as for an unknown one', async () => {
    const { alpha } = await setUp()
    await revokeToken(world.deps, world.operator, alpha.tokenId)
    const err = await failure(signIn(world.deps, alpha.token))
    expect(err.message).toBe('sign-in failed: unknown or revoked token')
    expect(await sessionRows()).toEqual([])
  })
})

describe('resolveSession', () => {
  it('when the session is live, then it gives the actor, the csrf token and the token id', async () => {
    const { alpha } = await setUp()
    const s = await signIn(world.deps, alpha.token)
    world.clock.advance(10 * 60)
    expect(await resolveSession(world.deps, s.secret)).toEqual({
      actor: s.actor,
      csrf: s.csrf,
      tokenId: alpha.tokenId,
    })
  })

  it.each([
    ['an unknown secret', 'ph_nope'],
    ['no secret', undefined],
    ['an empty secret', ''],
  ])('when given %s, then null', async (_, secret) => {
    await setUp()
    expect(await resolveSession(world.deps, secret)).toBeNull()
  })

  it('when the session sat unused longer than SESSION_IDLE_MINUTES, then null and the row is gone', async () => {
    const { alpha } = await setUp()
    const s = await signIn(world.deps, alpha.token)
    world.clock.advance(30 * 60)
    expect(await resolveSession(world.deps, s.secret)).not.toBeNull()
    world.clock.advance(30 * 60 + 1)
    expect(await resolveSession(world.deps, s.secret)).toBeNull()
    expect(await sessionRows()).toEqual([])
    expect(world.logged('dashboard_session_ended').map((e) => e['reason'])).toEqual(['idle'])
  })

  it('when SESSION_MAX_HOURS have passed since sign-in, then null even though it was used all along', async () => {
    const { alpha } = await setUp()
    const s = await signIn(world.deps, alpha.token)
    for (let i = 0; i < 6; i++) {
      world.clock.advance(i < 5 ? 20 * 60 : 20 * 60 - 1)
      expect(await resolveSession(world.deps, s.secret), `step ${i}`).not.toBeNull()
    }
    world.clock.advance(1) // exactly 2 hours after sign-in
    expect(await resolveSession(world.deps, s.secret)).toBeNull()
    expect(await sessionRows()).toEqual([])
    expect(world.logged('dashboard_session_ended').map((e) => e['reason'])).toEqual(['expired'])
  })

  it('when the token is revoked after sign-in, then its sessions end on the next request', async () => {
    const { alpha } = await setUp()
    const first = await signIn(world.deps, alpha.token)
    const second = await signIn(world.deps, alpha.token)
    const other = await createToken(world.deps, world.operator, {
      label: 'other',
      tenantId: alpha.id,
    })
    const kept = await signIn(world.deps, other.token)
    await revokeToken(world.deps, world.operator, alpha.tokenId)
    expect(await resolveSession(world.deps, first.secret)).toBeNull()
    expect(await resolveSession(world.deps, second.secret)).toBeNull()
    expect(await resolveSession(world.deps, kept.secret)).not.toBeNull()
    expect((await sessionRows()).map((r) => r.id)).toEqual([world.deps.sha256Hex(kept.secret)])
  })

  it('when requests come within a minute of the last recorded one, then last_seen_at is written at most once a minute', async () => {
    const { alpha } = await setUp()
    const s = await signIn(world.deps, alpha.token)
    const signedInAt = world.clock.now().getTime()
    world.clock.advance(59)
    await resolveSession(world.deps, s.secret)
    expect((await sessionRows())[0]?.lastSeen).toBe(signedInAt)
    world.clock.advance(1)
    await resolveSession(world.deps, s.secret)
    const touchedAt = world.clock.now().getTime()
    expect((await sessionRows())[0]?.lastSeen).toBe(touchedAt)
    world.clock.advance(30)
    await resolveSession(world.deps, s.secret)
    expect((await sessionRows())[0]?.lastSeen).toBe(touchedAt)
  })
})

describe('signOut and pruneSessions', () => {
  it('when a session signs out, then only it ends', async () => {
    const { alpha } = await setUp()
    const a = await signIn(world.deps, alpha.token)
    const b = await signIn(world.deps, alpha.token)
    await signOut(world.deps, a.secret)
    expect(await resolveSession(world.deps, a.secret)).toBeNull()
    expect(await resolveSession(world.deps, b.secret)).not.toBeNull()
    expect(world.logged('dashboard_sign_out')).toHaveLength(1)
    await signOut(world.deps, a.secret)
    expect(world.logged('dashboard_sign_out')).toHaveLength(1)
  })

  it('when sessions are idle or past their end, then pruning removes them and keeps the live one', async () => {
    const { alpha } = await setUp()
    const idle = await signIn(world.deps, alpha.token)
    world.clock.advance(31 * 60)
    const live = await signIn(world.deps, alpha.token)
    expect(await pruneSessions(world.deps)).toBe(1)
    expect((await sessionRows()).map((r) => r.id)).toEqual([world.deps.sha256Hex(live.secret)])
    expect(await resolveSession(world.deps, idle.secret)).toBeNull()
  })
})
