import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { retireDomain } from '../domains/retire-domain.js'
import { getTenantQuotas, setTenantQuotas } from './quotas.js'

let world: ServiceWorld
afterEach(() => world.close())

describe('domains per tenant', () => {
  it.each([['off'], ['dns']])(
    'when verification is %s and a tenant holds its quota of domains, then the next is refused naming QUOTA_DOMAINS_PER_TENANT',
    async (verification) => {
      world = await serviceWorld({
        DOMAIN_VERIFICATION: verification,
        QUOTA_DOMAINS_PER_TENANT: '2',
      })
      const a = await world.tenant('alpha')
      await addDomain(world.deps, a.actor, { name: 'one.example' })
      await addDomain(world.deps, a.actor, { name: 'two.example' })

      const err = await failure(addDomain(world.deps, a.actor, { name: 'three.example' }))

      expect(err.code).toBe('VALIDATION')
      expect(err.message).toContain(
        'quota domainsPerTenant (QUOTA_DOMAINS_PER_TENANT) is 2 domains',
      )
      expect(err.message).toContain('the tenant has 2')
      expect(await world.audit('domain.create')).toHaveLength(2)
    },
  )

  it('when one tenant is full, then another tenant and the operator still add domains', async () => {
    world = await serviceWorld({ QUOTA_DOMAINS_PER_TENANT: '1' })
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    await addDomain(world.deps, a.actor, { name: 'one.example' })

    await addDomain(world.deps, b.actor, { name: 'two.example' })
    await addDomain(world.deps, world.operator, { name: 'three.example', tenantId: a.id })

    expect(await world.deps.repos.quotas.domainCount(a.id)).toBe(2)
  })

  it('when a domain is removed, then its place in the quota is free again', async () => {
    world = await serviceWorld({ QUOTA_DOMAINS_PER_TENANT: '1' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'one.example' })
    await retireDomain(world.deps, a.actor, 'one.example', { force: false })

    const next = await addDomain(world.deps, a.actor, { name: 'two.example' })

    expect(next.status).toBe('active')
  })

  it("when the operator raises a tenant's quota, then that tenant may add more, and only that tenant", async () => {
    world = await serviceWorld({ QUOTA_DOMAINS_PER_TENANT: '1' })
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    await addDomain(world.deps, a.actor, { name: 'a1.example' })
    await addDomain(world.deps, b.actor, { name: 'b1.example' })

    await setTenantQuotas(world.deps, world.operator, a.id, { domainsPerTenant: 2 })

    await addDomain(world.deps, a.actor, { name: 'a2.example' })
    expect((await failure(addDomain(world.deps, b.actor, { name: 'b2.example' }))).code).toBe(
      'VALIDATION',
    )
  })

  it('when the quota is set to 0, then the tenant can add no domain at all', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await setTenantQuotas(world.deps, world.operator, a.id, { domainsPerTenant: 0 })

    const err = await failure(addDomain(world.deps, a.actor, { name: 'one.example' }))

    expect(err.message).toContain('is 0 domains')
  })
})

describe('getTenantQuotas and setTenantQuotas', () => {
  it('when the operator sets overrides, then they apply over the config defaults, and the change is audited and published', async () => {
    world = await serviceWorld({ QUOTA_LOGOS_PER_DOMAIN: '7' })
    const a = await world.tenant('alpha')
    world.changes.length = 0

    const view = await setTenantQuotas(world.deps, world.operator, a.id, {
      selectorsPerDomain: 3,
      logosPerDomain: undefined,
    })

    expect(view.overrides).toEqual({ selectorsPerDomain: 3 })
    expect(view.quotas).toMatchObject({ selectorsPerDomain: 3, logosPerDomain: 7 })
    expect(view.defaults).toMatchObject({ selectorsPerDomain: 10, logosPerDomain: 7 })
    expect(world.changes).toEqual([{ type: 'tenant.changed', tenantId: a.id }])
    expect(await world.audit('tenant.quotas')).toMatchObject([
      { tenantId: a.id, subject: a.id, detail: { selectorsPerDomain: 3 } },
    ])
  })

  it('when overrides are replaced, then keys left out fall back to the defaults', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await setTenantQuotas(world.deps, world.operator, a.id, { selectorsPerDomain: 3 })

    const view = await setTenantQuotas(world.deps, world.operator, a.id, { logosPerDomain: 2 })

    expect(view.overrides).toEqual({ logosPerDomain: 2 })
    expect(view.quotas.selectorsPerDomain).toBe(view.defaults.selectorsPerDomain)
  })

  it('when a tenant reads its own quotas, then it sees them; another tenant’s are NOT_FOUND, and setting is FORBIDDEN', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')

    expect((await getTenantQuotas(world.deps, a.actor, a.id)).tenantId).toBe(a.id)
    expect((await failure(getTenantQuotas(world.deps, a.actor, b.id))).code).toBe('NOT_FOUND')
    expect(
      (await failure(setTenantQuotas(world.deps, a.actor, a.id, { domainsPerTenant: 999 }))).code,
    ).toBe('FORBIDDEN')
    expect(await world.audit('tenant.quotas')).toEqual([])
  })

  it('when the operator names an unknown tenant, then NOT_FOUND', async () => {
    world = await serviceWorld()

    const err = await failure(getTenantQuotas(world.deps, world.operator, 'no-such-tenant'))

    expect(err.code).toBe('NOT_FOUND')
  })
})
