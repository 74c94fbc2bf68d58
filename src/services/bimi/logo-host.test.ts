import { afterEach, describe, expect, it } from 'vitest'
import {
  serviceWorld,
  type ServiceWorld,
  failure,
  alphaWithDomain,
  REAL_LOGO,
} from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { listBimi, uploadLogo } from './bimi-logo.js'
import { removeLogoHost, setLogoHost } from './logo-host.js'

const LOGO = REAL_LOGO

let world: ServiceWorld
afterEach(() => world.close())

async function live(env: Record<string, string> = {}) {
  world = await serviceWorld(env)
  return alphaWithDomain(world)
}

describe('setLogoHost', () => {
  it('when a name under the domain is set, then it becomes a logo hostname, logo URLs move to it, audited and published', async () => {
    const { a, domain } = await live()
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    world.changes.length = 0

    const host = await setLogoHost(world.deps, a.actor, 'alpha.example', {
      hostname: 'BIMI.Alpha.Example.',
    })

    expect(host).toBe('bimi.alpha.example')
    expect(await world.deps.repos.domains.hostnames(domain.id)).toContainEqual({
      name: 'bimi.alpha.example',
      domainId: domain.id,
      role: 'logo',
    })
    // On the tenant's own host the path is stable per selector.
    expect((await listBimi(world.deps, a.actor, 'alpha.example'))[0]?.urls.logo).toBe(
      'https://bimi.alpha.example/default.svg',
    )
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'hostnames' },
    ])
    expect(await world.audit('bimi.logo_host')).toMatchObject([
      { tenantId: a.id, subject: 'bimi.alpha.example' },
    ])
  })

  it('when the same host is set again, then nothing is written; a different one is CONFLICT', async () => {
    const { a } = await live()
    await setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.alpha.example' })
    world.changes.length = 0

    const again = await setLogoHost(world.deps, a.actor, 'alpha.example', {
      hostname: 'bimi.alpha.example',
    })
    const other = await failure(
      setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'logo.alpha.example' }),
    )

    expect(again).toBe('bimi.alpha.example')
    expect(world.changes).toEqual([])
    expect(other.code).toBe('CONFLICT')
    expect(other.message).toBe('domain already has logo host bimi.alpha.example; remove it first')
  })

  it.each([
    ['a name outside the domain', 'bimi.beta.example', 'must be a name under alpha.example'],
    ['the domain itself', 'alpha.example', 'must be a name under alpha.example'],
    ['a look-alike suffix', 'bimi.xalpha.example', 'must be a name under alpha.example'],
    ['the MTA-STS policy host', 'mta-sts.alpha.example', 'is the MTA-STS policy host'],
    ['not a hostname', 'bimi_.alpha..example', ''],
  ])('when the host is %s, then VALIDATION on hostname', async (_, hostname, message) => {
    const { a } = await live()

    const err = await failure(setLogoHost(world.deps, a.actor, 'alpha.example', { hostname }))

    expect(err.code).toBe('VALIDATION')
    expect(err.issues[0]?.path).toBe('hostname')
    expect(err.issues[0]?.message).toContain(message)
  })

  it("when the host is inside another tenant's proven subdomain, then VALIDATION: one tenant never claims a name in another's zone", async () => {
    const { a } = await live()
    const b = await world.tenant('beta')
    await addDomain(world.deps, b.actor, { name: 'shop.alpha.example' })

    const err = await failure(
      setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.shop.alpha.example' }),
    )

    expect(err.issues[0]?.message).toBe(
      'is inside shop.alpha.example, a domain another tenant has proven control of',
    )
  })

  it('when the domain is a pending claim, then CONFLICT until control is proven', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    const err = await failure(
      setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.alpha.example' }),
    )

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('is pending: prove control (TXT _policyhost.alpha.example')
  })

  it("when another tenant sets a logo host on a tenant's domain, then NOT_FOUND", async () => {
    await live()
    const b = await world.tenant('beta')

    const err = await failure(
      setLogoHost(world.deps, b.actor, 'alpha.example', { hostname: 'bimi.alpha.example' }),
    )

    expect(err.code).toBe('NOT_FOUND')
  })
})

describe('removeLogoHost', () => {
  it('when the logo host is removed, then logo URLs fall back to the service host; removing again is NOT_FOUND', async () => {
    const { a } = await live()
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    await setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.alpha.example' })

    await removeLogoHost(world.deps, a.actor, 'alpha.example')
    const err = await failure(removeLogoHost(world.deps, a.actor, 'alpha.example'))

    expect((await listBimi(world.deps, a.actor, 'alpha.example'))[0]?.urls.logo).toMatch(
      /^https:\/\/sts\.policyhost\.test\/logos\/alpha\.example\/[0-9a-f]{16}\.svg$/,
    )
    expect(err.message).toBe('domain "alpha.example" has no logo host')
    expect(await world.audit('bimi.logo_host.remove')).toMatchObject([
      { subject: 'bimi.alpha.example' },
    ])
  })
})
