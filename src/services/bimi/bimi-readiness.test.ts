import { afterEach, describe, expect, it } from 'vitest'
import type { BimiAssertion, Domain } from '../../core/ports.js'
import { serviceWorld, START, type ServiceWorld } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { bimiReadiness } from './bimi-readiness.js'

let world: ServiceWorld
afterEach(() => world.close())

const DAY = 86_400_000

async function domainNamed(name: string): Promise<Domain> {
  world = await serviceWorld()
  const a = await world.tenant('alpha')
  return addDomain(world.deps, a.actor, { name })
}

const assertion = (over: Partial<BimiAssertion> = {}): BimiAssertion => ({
  domainId: 'd',
  selector: 'default',
  logoSha256: '0'.repeat(64),
  vmcPem: null,
  vmcNotAfter: null,
  vmcMatchesLogo: null,
  updatedAt: START,
  ...over,
})

describe('bimiReadiness: DMARC', () => {
  it.each([
    ['p=reject', ['v=DMARC1; p=reject'], 0],
    ['p=quarantine', ['v=DMARC1; p=quarantine'], 0],
    ['p=none', ['v=DMARC1; p=none'], 1],
    ['no record', [], 1],
    ['p=quarantine with pct=50', ['v=DMARC1; p=quarantine; pct=50'], 1],
  ])('when the domain publishes %s, then %s blocker(s)', async (_, txts, blockers) => {
    const domain = await domainNamed('alpha.example')
    world.dns.txts.set('_dmarc.alpha.example', txts)

    const out = await bimiReadiness(world.deps, domain, [])

    expect(out.dmarcBlockers).toHaveLength(blockers)
    for (const b of out.dmarcBlockers) expect(b).toMatch(/^_dmarc\.alpha\.example: /)
  })

  it('when the DMARC lookup fails, then the blocker says so', async () => {
    const domain = await domainNamed('alpha.example')
    world.dns.failing.add('_dmarc.alpha.example')

    const out = await bimiReadiness(world.deps, domain, [])

    expect(out.dmarcBlockers).toEqual([
      '_dmarc.alpha.example: DNS lookup failed (queryTxt ESERVFAIL _dmarc.alpha.example)',
    ])
  })

  it("when a subdomain has no record of its own, then the organizational domain's policy decides (RFC 7489 §6.6.3)", async () => {
    const domain = await domainNamed('mail.alpha.example')
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=reject'])

    expect((await bimiReadiness(world.deps, domain, [])).dmarcBlockers).toEqual([])
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=reject; sp=none'])
    const blocked = await bimiReadiness(world.deps, domain, [])
    expect(blocked.dmarcBlockers).toContain(
      '_dmarc.alpha.example: DMARC sp=none is not quarantine or reject',
    )
  })

  it('when a subdomain has its own enforcing record, then the organizational domain must enforce too', async () => {
    const domain = await domainNamed('mail.alpha.example')
    world.dns.txts.set('_dmarc.mail.alpha.example', ['v=DMARC1; p=reject'])
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=none'])

    const out = await bimiReadiness(world.deps, domain, [])

    expect(out.dmarcBlockers).toHaveLength(1)
    expect(out.dmarcBlockers[0]).toMatch(/^_dmarc\.alpha\.example: /)
  })
})

describe('bimiReadiness: mark certificates', () => {
  it.each([
    ['no certificate', {}, []],
    [
      'a matching certificate with a year left',
      { vmcPem: 'x', vmcMatchesLogo: true, vmcNotAfter: new Date(START.getTime() + 365 * DAY) },
      [],
    ],
    [
      'a certificate for another logo',
      { vmcPem: 'x', vmcMatchesLogo: false },
      ['the certificate embeds another logo; a= is not published'],
    ],
    [
      'a certificate with 30 days left',
      { vmcPem: 'x', vmcMatchesLogo: true, vmcNotAfter: new Date(START.getTime() + 30 * DAY) },
      ['the mark certificate expires in 30 days'],
    ],
    [
      'a certificate with 31 days left',
      { vmcPem: 'x', vmcMatchesLogo: true, vmcNotAfter: new Date(START.getTime() + 31 * DAY) },
      [],
    ],
    [
      'an expired certificate',
      { vmcPem: 'x', vmcMatchesLogo: true, vmcNotAfter: new Date(START.getTime() - 1000) },
      ['the mark certificate has expired'],
    ],
  ] as const)('when a selector has %s, then the warnings are %j', async (_, over, warnings) => {
    const domain = await domainNamed('alpha.example')
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=reject'])

    const out = await bimiReadiness(world.deps, domain, [assertion(over)])

    expect(out.certificates).toEqual([
      {
        selector: 'default',
        notAfter: 'vmcNotAfter' in over ? over.vmcNotAfter.toISOString() : null,
        warnings,
      },
    ])
  })
})
