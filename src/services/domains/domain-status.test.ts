import { afterEach, describe, expect, it } from 'vitest'
import type { CertState } from '../../core/certs/types.js'
import {
  serviceWorld,
  START,
  type ServiceWorld,
  failure,
  alphaWithDomain,
  REAL_LOGO,
} from '../../../test/helpers/services.js'
import { uploadLogo } from '../bimi/bimi-logo.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { domainStatus } from './domain-status.js'

const LOGO = REAL_LOGO

let world: ServiceWorld
afterEach(() => world.close())

const certState = (hostname: string, over: Partial<CertState> = {}): CertState => ({
  hostname,
  status: 'ok',
  issuerName: 'test',
  serial: 'aa01',
  issuer: 'Test CA',
  notBefore: START,
  notAfter: new Date(START.getTime() + 90 * 86_400_000),
  renewAt: null,
  dueAt: START,
  failures: 0,
  lastError: null,
  lastAttemptAt: null,
  dnsStatus: 'ok',
  dnsDetail: null,
  updatedAt: START,
  ...over,
})

async function live(env: Record<string, string> = {}) {
  world = await serviceWorld(env)
  return alphaWithDomain(world)
}

describe('domainStatus', () => {
  it('when a new domain has nothing set, then no policy, its policy host queued for a certificate, no BIMI and no advice', async () => {
    const { a, domain } = await live()

    const status = await domainStatus(world.deps, a.actor, 'alpha.example')

    expect(status).toMatchObject({
      domain,
      policy: null,
      hostnames: [
        {
          name: 'mta-sts.alpha.example',
          role: 'policy',
          cert: { status: 'pending', serial: null, dueAt: START },
        },
      ],
      bimi: null,
      enforceAdvice: null,
      warnings: [],
    })
  })

  it('when the policy host has a certificate state, then it is shown beside the host', async () => {
    const { a } = await live()
    const state = certState('mta-sts.alpha.example')
    await world.deps.repos.certs.save(state)

    const status = await domainStatus(world.deps, a.actor, 'alpha.example')

    expect(status.hostnames).toEqual([
      { name: 'mta-sts.alpha.example', role: 'policy', cert: state },
    ])
  })

  it('when the policy is in testing, then advice on moving to enforce is given; with a logo, BIMI readiness too', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'testing',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=none'])

    const status = await domainStatus(world.deps, a.actor, 'alpha.example')

    expect(status.policy?.mode).toBe('testing')
    expect(status.enforceAdvice?.ready).toBe(false)
    expect(status.bimi?.dmarcBlockers).toHaveLength(1)
    expect(status.bimi?.certificates).toEqual([
      { selector: 'default', notAfter: null, warnings: [] },
    ])
  })

  it.each([
    [
      'has expired',
      { notAfter: new Date(START.getTime() - 1000) },
      "SERVICE_HOST sts.policyhost.test's certificate expired at",
    ],
    [
      'failed its last order',
      { status: 'failed' as const, serial: null, notAfter: null },
      'SERVICE_HOST sts.policyhost.test has no certificate yet: its last order failed',
    ],
    [
      'waits for DNS',
      { status: 'dns_pending' as const, serial: null, notAfter: null },
      'its last order waits for DNS',
    ],
  ])('when the service host certificate %s, then the status warns', async (_, over, warning) => {
    const { a } = await live()
    await world.deps.repos.certs.save(certState('sts.policyhost.test', over))

    const status = await domainStatus(world.deps, a.actor, 'alpha.example')

    expect(status.warnings).toHaveLength(1)
    expect(status.warnings[0]).toContain(warning)
  })

  it("when another tenant asks for a tenant's status, then NOT_FOUND", async () => {
    await live()
    const b = await world.tenant('beta')

    expect((await failure(domainStatus(world.deps, b.actor, 'alpha.example'))).code).toBe(
      'NOT_FOUND',
    )
  })
})
