import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { createTenant } from '../tenants/tenants.js'
import { authenticate } from './auth.js'
import { bootstrapOperatorToken, revokeToken } from './tokens.js'

let world: ServiceWorld
afterEach(() => world.close())

describe('authenticate', () => {
  it.each([
    ['no secret', null, 'missing bearer token'],
    ['an empty secret', '', 'missing bearer token'],
    ['an unknown secret', 'ph_not-a-real-token', 'invalid or revoked token'],
  ])('when given %s, then UNAUTHORIZED', async (_, secret, message) => {
    world = await serviceWorld()

    const err = await failure(authenticate(world.deps, secret))

    expect(err.code).toBe('UNAUTHORIZED')
    expect(err.message).toBe(message)
  })

  it('when a token is revoked, then its secret no longer authenticates', async () => {
    world = await serviceWorld()
    const t = await createTenant(world.deps, world.operator, { name: 'alpha' })
    await revokeToken(world.deps, world.operator, t.tokenId)

    expect((await failure(authenticate(world.deps, t.token))).code).toBe('UNAUTHORIZED')
  })

  it('when a token is used, then last use is recorded at most once a minute', async () => {
    world = await serviceWorld()
    const t = await createTenant(world.deps, world.operator, { name: 'alpha' })
    const lastUsed = async () => (await world.deps.repos.tokens.byId(t.tokenId))?.lastUsedAt

    await authenticate(world.deps, t.token)
    expect(await lastUsed()).toEqual(START)
    world.clock.advance(60)
    await authenticate(world.deps, t.token)
    expect(await lastUsed()).toEqual(START)
    world.clock.advance(1)
    await authenticate(world.deps, t.token)
    expect(await lastUsed()).toEqual(new Date(START.getTime() + 61_000))
  })

  it('when ADMIN_TOKEN is bootstrapped, then it authenticates as the operator; a new value revokes the old one', async () => {
    world = await serviceWorld()

    await bootstrapOperatorToken(world.deps, 'ph_first-admin-secret')
    const first = await authenticate(world.deps, 'ph_first-admin-secret')
    await bootstrapOperatorToken(world.deps, 'ph_second-admin-secret')

    expect(first).toMatchObject({ kind: 'operator' })
    expect(await authenticate(world.deps, 'ph_second-admin-secret')).toMatchObject({
      kind: 'operator',
    })
    expect((await failure(authenticate(world.deps, 'ph_first-admin-secret'))).code).toBe(
      'UNAUTHORIZED',
    )
    expect(await world.audit('token.bootstrap')).toHaveLength(2)
    expect(world.logged('operator_token_bootstrapped')).toHaveLength(2)
  })

  it('when the same ADMIN_TOKEN is bootstrapped again (a restart), then nothing is written', async () => {
    world = await serviceWorld()
    await bootstrapOperatorToken(world.deps, 'ph_admin-secret')

    await bootstrapOperatorToken(world.deps, 'ph_admin-secret')

    expect(await world.audit('token.bootstrap')).toHaveLength(1)
  })

  it('when a revoked ADMIN_TOKEN value is set again, then start-up fails: a revoked secret stays dead', async () => {
    world = await serviceWorld()
    await bootstrapOperatorToken(world.deps, 'ph_old-admin')
    await bootstrapOperatorToken(world.deps, 'ph_new-admin')

    await expect(bootstrapOperatorToken(world.deps, 'ph_old-admin')).rejects.toThrow(
      'ADMIN_TOKEN was revoked; set a new value',
    )
    expect((await failure(authenticate(world.deps, 'ph_old-admin'))).code).toBe('UNAUTHORIZED')
  })
})
