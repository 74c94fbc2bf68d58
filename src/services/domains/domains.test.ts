import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain, getDomain, listDomains } from './domains.js'

let world: ServiceWorld
afterEach(() => world.close())

/** The error a promise rejects with, so a test can check its code, message and issues. */

describe('addDomain', () => {
  it('when verification is off, then the domain is live at once with its mta-sts host, audited and published', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    world.changes.length = 0

    const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    expect(domain).toMatchObject({
      tenantId: a.id,
      name: 'alpha.example',
      status: 'active',
      verificationToken: null,
      verifiedAt: START,
      claimExpiresAt: null,
    })
    expect(await world.deps.repos.domains.hostnames(domain.id)).toEqual([
      { name: 'mta-sts.alpha.example', domainId: domain.id, role: 'policy' },
    ])
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'status' },
    ])
    expect(await world.audit('domain.create')).toEqual([
      {
        at: START.getTime(),
        tenantId: a.id,
        actorTokenId: 't-alpha',
        action: 'domain.create',
        subject: 'alpha.example',
        detail: { status: 'active' },
      },
    ])
    expect(world.logged('domain_added')).toHaveLength(1)
  })

  it('when verification is dns, then the domain is a pending claim with a token, no hostname, and an expiry one claim lifetime away', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns', DOMAIN_CLAIM_TTL_HOURS: '10' })
    const a = await world.tenant('alpha')
    world.changes.length = 0

    const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    expect(domain.status).toBe('pending')
    expect(domain.verificationToken).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(domain.verifiedAt).toBeNull()
    expect(domain.claimExpiresAt).toEqual(new Date(START.getTime() + 10 * 3_600_000))
    expect(await world.deps.repos.domains.hostnames(domain.id)).toEqual([])
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'claim' },
    ])
    expect((await world.audit('domain.create'))[0]?.detail).toEqual({ status: 'pending' })
  })

  it('when two tenants claim the same name with verification dns, then each holds its own pending claim and the operator reaches the oldest', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')

    const first = await addDomain(world.deps, a.actor, { name: 'shared.example' })
    world.clock.advance(1)
    const second = await addDomain(world.deps, b.actor, { name: 'shared.example' })

    expect(second.status).toBe('pending')
    expect(second.verificationToken).not.toBe(first.verificationToken)
    // The operator, naming no tenant, reaches the oldest claim.
    expect((await getDomain(world.deps, world.operator, 'shared.example')).tenantId).toBe(a.id)
    expect((await getDomain(world.deps, b.actor, 'shared.example')).id).toBe(second.id)
  })

  it('when verification is off and another tenant holds the name, then CONFLICT and nothing is stored', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    await addDomain(world.deps, a.actor, { name: 'shared.example' })

    const err = await failure(addDomain(world.deps, b.actor, { name: 'shared.example' }))

    expect(err.code).toBe('CONFLICT')
    expect((await listDomains(world.deps, b.actor)).domains).toEqual([])
    expect(await world.audit('domain.create')).toHaveLength(1)
  })

  it.each([['off'], ['dns']])(
    'when verification is %s and the tenant already has the name, then CONFLICT',
    async (verification) => {
      world = await serviceWorld({ DOMAIN_VERIFICATION: verification })
      const a = await world.tenant('alpha')
      await addDomain(world.deps, a.actor, { name: 'alpha.example' })

      const err = await failure(addDomain(world.deps, a.actor, { name: 'alpha.example' }))

      expect(err.code).toBe('CONFLICT')
      expect(err.message).toContain('already registered')
    },
  )

  it('when verification is dns and the operator adds a trusted domain, then it is live at once', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')

    const domain = await addDomain(
      world.deps,
      world.operator,
      { name: 'alpha.example', tenantId: a.id },
      { trusted: true },
    )

    expect(domain.status).toBe('active')
    expect((await world.audit('domain.create'))[0]).toMatchObject({
      tenantId: a.id,
      actorTokenId: 'operator-test-token',
    })
  })

  it('when a tenant asks for trust, then it is ignored and the domain is still a pending claim', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')

    const domain = await addDomain(
      world.deps,
      a.actor,
      { name: 'alpha.example' },
      { trusted: true },
    )

    expect(domain.status).toBe('pending')
  })

  it.each([
    ['no tenantId', undefined, 'required with the operator token'],
    ['an unknown tenantId', 'no-such-tenant', 'no such tenant'],
  ])('when the operator gives %s, then VALIDATION on tenantId', async (_, tenantId, message) => {
    world = await serviceWorld()

    const err = await failure(
      addDomain(world.deps, world.operator, { name: 'x.example', tenantId }),
    )

    expect(err.code).toBe('VALIDATION')
    expect(err.issues).toEqual([{ path: 'tenantId', message }])
  })

  it('when a tenant names another tenant, then FORBIDDEN and nothing is stored', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')

    const err = await failure(
      addDomain(world.deps, a.actor, { name: 'alpha.example', tenantId: b.id }),
    )

    expect(err.code).toBe('FORBIDDEN')
    expect((await listDomains(world.deps, world.operator)).domains).toEqual([])
  })

  // SERVICE_HOST is sts.policyhost.test; RESERVED_DOMAINS lists corp.example.
  it.each([
    ['tenant', 'sts.policyhost.test', 'is the service host'],
    ['operator', 'sts.policyhost.test', 'is the service host'],
    ['tenant', 'a.sts.policyhost.test', 'is the service host'],
    ['tenant', 'policyhost.test', 'is inside policyhost.test'],
    ['tenant', 'mail.policyhost.test', 'is inside policyhost.test'],
    ['tenant', 'corp.example', 'is reserved by the operator'],
    ['operator', 'mx.corp.example', 'is reserved by the operator'],
  ] as const)('when the %s registers %s, then VALIDATION: it %s', async (who, name, reason) => {
    world = await serviceWorld({ RESERVED_DOMAINS: 'corp.example' })
    const a = await world.tenant('alpha')
    const actor = who === 'tenant' ? a.actor : world.operator

    const err = await failure(addDomain(world.deps, actor, { name, tenantId: a.id }))

    expect(err.code).toBe('VALIDATION')
    expect(err.issues[0]?.path).toBe('name')
    expect(err.issues[0]?.message).toContain(reason)
  })

  it("when the operator gives the service host's own domain to a tenant, then it is allowed", async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')

    const domain = await addDomain(world.deps, world.operator, {
      name: 'policyhost.test',
      tenantId: a.id,
    })

    expect(domain.status).toBe('active')
  })

  it('when the name is too long for its mta-sts host to fit 253 octets, then VALIDATION', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    // 3 × 64 + 47 + 'example' = 246 octets: a valid name, but mta-sts.<name> would be 254.
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(46)}.example`
    expect(name).toHaveLength(246)

    const err = await failure(addDomain(world.deps, a.actor, { name }))

    expect(err.code).toBe('VALIDATION')
    expect(err.issues[0]?.message).toContain('at most 245 octets')
  })
})

describe('tenant scoping of domains', () => {
  async function twoTenants() {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    await addDomain(world.deps, b.actor, { name: 'beta.example' })
    return { a, b }
  }

  it("when a tenant asks for another tenant's domain, then NOT_FOUND, worded as for a name nobody has", async () => {
    const { b } = await twoTenants()

    const theirs = await failure(getDomain(world.deps, b.actor, 'alpha.example'))
    const nobodys = await failure(getDomain(world.deps, b.actor, 'nobody.example'))

    expect(theirs.code).toBe('NOT_FOUND')
    expect(theirs.message).toBe('domain "alpha.example" not found')
    expect(nobodys.message).toBe('domain "nobody.example" not found')
  })

  it('when each tenant lists its domains, then it sees only its own; the operator sees all', async () => {
    const { a, b } = await twoTenants()

    const names = async (actor: typeof a.actor) =>
      (await listDomains(world.deps, actor)).domains.map((d) => d.name)

    expect(await names(a.actor)).toEqual(['alpha.example'])
    expect(await names(b.actor)).toEqual(['beta.example'])
    expect(await names(world.operator)).toEqual(['alpha.example', 'beta.example'])
    expect((await getDomain(world.deps, world.operator, 'alpha.example')).tenantId).toBe(a.id)
  })
})

describe('listDomains pages', () => {
  it('when there are more domains than a page holds, then pages follow one another in name order without overlap', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    for (const n of ['e', 'c', 'a', 'd', 'b']) {
      await addDomain(world.deps, a.actor, { name: `${n}.example` })
    }

    const first = await listDomains(world.deps, a.actor, { limit: 2, after: null })
    const second = await listDomains(world.deps, a.actor, { limit: 2, after: first.next })
    const third = await listDomains(world.deps, a.actor, { limit: 2, after: second.next })

    expect(first.domains.map((d) => d.name)).toEqual(['a.example', 'b.example'])
    expect(first.next).toEqual({ name: 'b.example', id: first.domains[1]!.id })
    expect(second.domains.map((d) => d.name)).toEqual(['c.example', 'd.example'])
    expect(third.domains.map((d) => d.name)).toEqual(['e.example'])
    expect(third.next).toBeNull()
  })
})
