import { afterEach, describe, expect, it } from 'vitest'
import type { MtaStsPolicy } from '../../core/mta-sts/policy.js'
import {
  serviceWorld,
  START,
  type ServiceWorld,
  failure,
  alphaWithDomain,
} from '../../../test/helpers/services.js'
import { setPolicy, getPolicy } from '../mta-sts/mta-sts.js'
import { addDomain, getDomain } from './domains.js'
import { removeDueDomains, retireDomain, RETIRE_MAX_AGE } from './retire-domain.js'

let world: ServiceWorld
afterEach(() => world.close())

const policy = (maxAge: number): MtaStsPolicy => ({
  mode: 'enforce',
  mx: ['mx.alpha.example'],
  maxAge,
})

async function live() {
  world = await serviceWorld()
  return alphaWithDomain(world)
}

describe('retireDomain', () => {
  it('when a domain has served a policy, then it serves mode none until the longest max_age has passed, audited and published', async () => {
    const { a, domain } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(604800))
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(86400))
    world.clock.advance(10)
    world.changes.length = 0

    const out = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    const now = new Date(START.getTime() + 10_000)
    // The longest max_age ever published (a week), not the current one (a day).
    const removeAt = new Date(now.getTime() + 604_800_000)
    expect(out).toMatchObject({ status: 'retiring', retiredAt: now, removeAt })
    if (out.status !== 'retiring') throw new Error('unreachable')
    expect(out.policy).toMatchObject({ mode: 'none', mx: [], maxAge: RETIRE_MAX_AGE })
    expect(out.policy.text).toBe('version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n')
    expect(await getPolicy(world.deps, a.actor, 'alpha.example')).toMatchObject({
      mode: 'none',
      policyId: out.policy.policyId,
    })
    expect(await getDomain(world.deps, a.actor, 'alpha.example')).toMatchObject({
      status: 'retiring',
      retiredAt: now,
      removeAt,
    })
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'status' },
    ])
    expect(await world.audit('domain.retire')).toMatchObject([
      { tenantId: a.id, subject: 'alpha.example', detail: { removeAt: removeAt.toISOString() } },
    ])
  })

  it('when the domain is already retiring, then retiring again keeps the first removal time and writes nothing', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(86400))
    const first = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })
    world.clock.advance(3600)
    world.changes.length = 0

    const again = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    expect(again).toEqual(first)
    expect(world.changes).toEqual([])
    expect(await world.audit('domain.retire')).toHaveLength(1)
  })

  it.each([
    ['no policy was ever published', null],
    ['only max_age 0 was published', 0],
  ])('when %s, then the domain is removed at once', async (_, maxAge) => {
    const { a, domain } = await live()
    if (maxAge !== null) await setPolicy(world.deps, a.actor, 'alpha.example', policy(maxAge))
    world.changes.length = 0

    const out = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    expect(out).toEqual({ status: 'removed', name: 'alpha.example', removedAt: START })
    expect(world.changes).toEqual([
      {
        type: 'domain.removed',
        domainId: domain.id,
        domain: 'alpha.example',
        hostnames: ['mta-sts.alpha.example'],
      },
    ])
    expect(await world.audit('domain.remove')).toMatchObject([
      { tenantId: a.id, detail: { reason: 'no_live_policy' } },
    ])
  })

  it('when a tenant withdraws a pending claim, then it is removed at once (it never served anything)', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(604800))

    const out = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    expect(out.status).toBe('removed')
    expect((await world.audit('domain.remove'))[0]?.detail).toEqual({ reason: 'claim_withdrawn' })
  })

  it('when a tenant asks for force, then FORBIDDEN and the domain is untouched', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(86400))

    const err = await failure(retireDomain(world.deps, a.actor, 'alpha.example', { force: true }))

    expect(err.code).toBe('FORBIDDEN')
    expect((await getDomain(world.deps, a.actor, 'alpha.example')).status).toBe('active')
  })

  it('when the operator forces a retirement, then the domain is removed at once whatever it served', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(604800))

    const out = await retireDomain(world.deps, world.operator, 'alpha.example', { force: true })

    expect(out.status).toBe('removed')
    expect(await world.audit('domain.remove')).toMatchObject([
      { tenantId: a.id, actorTokenId: 'operator-test-token', detail: { reason: 'forced' } },
    ])
    expect((await failure(getDomain(world.deps, a.actor, 'alpha.example'))).code).toBe('NOT_FOUND')
  })

  it("when another tenant retires a tenant's domain, then NOT_FOUND and nothing changes", async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(86400))
    const b = await world.tenant('beta')

    const err = await failure(retireDomain(world.deps, b.actor, 'alpha.example', { force: false }))

    expect(err.code).toBe('NOT_FOUND')
    expect((await getDomain(world.deps, a.actor, 'alpha.example')).status).toBe('active')
  })
})

describe('removeDueDomains', () => {
  it('when the removal time of a retiring domain comes, then it is removed by the system and audited; not a second earlier', async () => {
    const { a, domain } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', policy(3600))
    await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    world.clock.advance(3599)
    expect(await removeDueDomains(world.deps)).toEqual([])
    world.clock.advance(1)
    world.changes.length = 0
    expect(await removeDueDomains(world.deps)).toEqual(['alpha.example'])

    expect(world.changes).toEqual([
      {
        type: 'domain.removed',
        domainId: domain.id,
        domain: 'alpha.example',
        hostnames: ['mta-sts.alpha.example'],
      },
    ])
    expect(await world.audit('domain.remove')).toMatchObject([
      { tenantId: a.id, actorTokenId: null, detail: { reason: 'retirement_complete' } },
    ])
    expect(await removeDueDomains(world.deps)).toEqual([])
  })
})
