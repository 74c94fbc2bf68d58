import { afterEach, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import type { MtaStsPolicy } from '../../core/mta-sts/policy.js'
import {
  serviceWorld,
  START,
  type ServiceWorld,
  failure,
  alphaWithDomain,
} from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { retireDomain } from '../domains/retire-domain.js'
import { getPolicy, setPolicy } from './mta-sts.js'

let world: ServiceWorld
afterEach(() => world.close())

const ENFORCE: MtaStsPolicy = { mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 }

async function live(env: Record<string, string> = {}) {
  world = await serviceWorld(env)
  return alphaWithDomain(world)
}

describe('setPolicy', () => {
  it('when a policy is set, then its text is rendered, its id is the first 32 hex of its SHA-256, and the write is audited and published', async () => {
    const { a, domain } = await live()

    const view = await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)

    const text = 'version: STSv1\r\nmode: enforce\r\nmx: mx.alpha.example\r\nmax_age: 86400\r\n'
    expect(view).toMatchObject({ domain: 'alpha.example', changed: true, text, updatedAt: START })
    expect(view.policyId).toBe(createHash('sha256').update(text).digest('hex').slice(0, 32))
    expect(await getPolicy(world.deps, a.actor, 'alpha.example')).toMatchObject({
      policyId: view.policyId,
      text,
    })
    expect(world.changes).toEqual([
      {
        type: 'domain.changed',
        domainId: domain.id,
        domain: 'alpha.example',
        what: 'policy',
        // The text served from now on, ordered by the row's first revision.
        policy: { text, revision: 1 },
      },
    ])
    expect(await world.audit('policy.set')).toMatchObject([
      { tenantId: a.id, subject: 'alpha.example', detail: { policyId: view.policyId } },
    ])
  })

  it('when the same policy is set again, then it is a no-op: same id, nothing written or published', async () => {
    const { a } = await live()
    const first = await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)
    world.clock.advance(60)
    world.changes.length = 0

    const again = await setPolicy(world.deps, a.actor, 'alpha.example', { ...ENFORCE })

    expect(again).toMatchObject({ changed: false, policyId: first.policyId, updatedAt: START })
    expect(world.changes).toEqual([])
    expect(await world.audit('policy.set')).toHaveLength(1)
  })

  it.each([
    ['mode', { ...ENFORCE, mode: 'testing' as const }],
    ['max_age', { ...ENFORCE, maxAge: 86401 }],
    ['mx list', { ...ENFORCE, mx: ['mx.alpha.example', 'mx2.alpha.example'] }],
  ])('when the %s changes, then the id changes', async (_, next) => {
    const { a } = await live()
    const first = await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)

    const second = await setPolicy(world.deps, a.actor, 'alpha.example', next)

    expect(second.changed).toBe(true)
    expect(second.policyId).not.toBe(first.policyId)
    expect(second.policyId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('when the domain is a pending claim, then the policy is stored already (served once control is proven)', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    const view = await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)

    expect(view.changed).toBe(true)
  })

  it('when the domain is being retired, then CONFLICT and the mode-none policy stays', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)
    await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    const err = await failure(setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE))

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('is being retired until')
    expect((await getPolicy(world.deps, a.actor, 'alpha.example')).mode).toBe('none')
  })

  it("when another tenant sets or reads a policy on a tenant's domain, then NOT_FOUND and the policy is untouched", async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)
    const b = await world.tenant('beta')
    world.changes.length = 0

    const write = await failure(
      setPolicy(world.deps, b.actor, 'alpha.example', { ...ENFORCE, mode: 'none', mx: [] }),
    )
    const read = await failure(getPolicy(world.deps, b.actor, 'alpha.example'))

    expect([write.code, read.code]).toEqual(['NOT_FOUND', 'NOT_FOUND'])
    expect((await getPolicy(world.deps, a.actor, 'alpha.example')).mode).toBe('enforce')
    expect(world.changes).toEqual([])
  })
})

describe('getPolicy', () => {
  it('when the domain has no policy yet, then NOT_FOUND saying so', async () => {
    const { a } = await live()

    const err = await failure(getPolicy(world.deps, a.actor, 'alpha.example'))

    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toBe('domain "alpha.example" has no MTA-STS policy yet')
  })
})
