import { afterEach, describe, expect, it } from 'vitest'
import type { BimiAssertion } from '../../core/ports.js'
import { serviceWorld, START, type ServiceWorld } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { setLogoHost } from './logo-host.js'
import { bimiUrls } from './bimi-urls.js'

let world: ServiceWorld
afterEach(() => world.close())

const HASH = 'ab'.repeat(32)
const assertion = (over: Partial<BimiAssertion>): BimiAssertion => ({
  domainId: 'd',
  selector: 'brand',
  logoSha256: HASH,
  vmcPem: null,
  vmcNotAfter: null,
  vmcMatchesLogo: null,
  updatedAt: START,
  ...over,
})

describe('bimiUrls', () => {
  it.each([
    ['no certificate', {}, null],
    ['a certificate that embeds another logo', { vmcPem: 'pem', vmcMatchesLogo: false }, null],
    ['a matching certificate', { vmcPem: 'pem', vmcMatchesLogo: true }, 'brand.pem'],
  ])('when the selector has %s, then a= is %s', async (_, over, pem) => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const d = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    const base = 'https://sts.policyhost.test/logos/alpha.example'

    const onService = await bimiUrls(world.deps, d.id, d.name, assertion(over))
    await setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.alpha.example' })
    const onOwnHost = await bimiUrls(world.deps, d.id, d.name, assertion(over))

    // The service host's logo URL is content-addressed; the tenant's own host is per selector.
    expect(onService).toEqual({
      logo: `${base}/${HASH.slice(0, 16)}.svg`,
      certificate: pem ? `${base}/${pem}` : null,
    })
    expect(onOwnHost).toEqual({
      logo: 'https://bimi.alpha.example/brand.svg',
      certificate: pem ? `https://bimi.alpha.example/${pem}` : null,
    })
  })
})
