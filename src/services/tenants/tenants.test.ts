import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { authenticate } from '../auth/auth.js'
import { createTenant, ensureTenant, listTenants, tenantByName } from './tenants.js'

let world: ServiceWorld
afterEach(() => world.close())

describe('createTenant', () => {
  it('when the operator creates a tenant, then its first token authenticates as that tenant, and the creation is audited and published', async () => {
    world = await serviceWorld()

    const created = await createTenant(world.deps, world.operator, { name: 'alpha' })

    expect(created).toMatchObject({ name: 'alpha', createdAt: START })
    expect(await authenticate(world.deps, created.token)).toEqual({
      kind: 'tenant',
      tenantId: created.id,
      tokenId: created.tokenId,
    })
    expect(world.changes).toEqual([{ type: 'tenant.changed', tenantId: created.id }])
    expect(await world.audit('tenant.create')).toEqual([
      {
        at: START.getTime(),
        tenantId: created.id,
        actorTokenId: 'operator-test-token',
        action: 'tenant.create',
        subject: 'alpha',
        detail: { tokenId: created.tokenId },
      },
    ])
    // The secret is never logged.
    expect(JSON.stringify(world.logged())).not.toContain(created.token)
  })

  it.each([['alpha'], ['ALPHA']])(
    'when a tenant named "%s" is created beside alpha, then CONFLICT and nothing more is stored',
    async (name) => {
      world = await serviceWorld()
      await createTenant(world.deps, world.operator, { name: 'alpha' })

      const err = await failure(createTenant(world.deps, world.operator, { name }))

      expect(err.code).toBe('CONFLICT')
      expect(await listTenants(world.deps, world.operator)).toHaveLength(1)
      expect(await world.audit('tenant.create')).toHaveLength(1)
    },
  )

  it('when a tenant token creates, lists or looks up tenants, then FORBIDDEN', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')

    const errs = await Promise.all([
      failure(createTenant(world.deps, a.actor, { name: 'beta' })),
      failure(listTenants(world.deps, a.actor)),
      failure(tenantByName(world.deps, a.actor, 'alpha')),
      failure(ensureTenant(world.deps, a.actor, 'beta')),
    ])

    expect(errs.map((e) => e.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'])
    expect(await listTenants(world.deps, world.operator)).toHaveLength(1)
  })
})

describe('tenantByName and ensureTenant', () => {
  it('when the name differs only in case, then the same tenant is found; an unknown name is NOT_FOUND', async () => {
    world = await serviceWorld()
    const a = await world.tenant('Alpha')

    expect((await tenantByName(world.deps, world.operator, 'alpha')).id).toBe(a.id)
    expect((await failure(tenantByName(world.deps, world.operator, 'beta'))).code).toBe('NOT_FOUND')
  })

  it('when ensureTenant is asked twice for a new name, then one tenant is created, without a token', async () => {
    world = await serviceWorld()

    const first = await ensureTenant(world.deps, world.operator, 'gamma')
    const second = await ensureTenant(world.deps, world.operator, 'gamma')

    expect(second.id).toBe(first.id)
    expect((await listTenants(world.deps, world.operator)).map((t) => t.id)).toEqual([first.id])
    expect(await world.deps.repos.tokens.list(first.id, null, 10)).toEqual([])
    expect(await world.audit('tenant.create')).toHaveLength(1)
  })
})
