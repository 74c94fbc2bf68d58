import { afterEach, describe, expect, it } from 'vitest'
import type { MtaStsPolicy } from '../../core/mta-sts/policy.js'
import { serviceWorld, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { getPolicy, setPolicy } from '../mta-sts/mta-sts.js'
import { addDomain, getDomain } from './domains.js'
import { retireDomain } from './retire-domain.js'
import { verifyDomain } from './domain-verification.js'
import { restoreDomain } from './restore-domain.js'

let world: ServiceWorld
afterEach(() => world.close())

const ENFORCE: MtaStsPolicy = { mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 }

async function retiring() {
  world = await serviceWorld()
  const a = await world.tenant('alpha')
  const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  const before = await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)
  world.clock.advance(60)
  await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })
  world.clock.advance(60)
  world.changes.length = 0
  return { a, domain, before }
}

describe('restoreDomain', () => {
  it('when a retiring domain is restored, then it is active and serves its old policy under a new id, audited and published', async () => {
    const { a, domain, before } = await retiring()

    const out = await restoreDomain(world.deps, a.actor, 'alpha.example')

    expect(out.previousPolicyId).toBe(before.policyId)
    expect(out.policy).toMatchObject({ mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 })
    expect(out.policy?.text).toBe(before.text)
    // RFC 8461 §3.1: senders that cached mode none must see the id change.
    expect(out.policy?.policyId).not.toBe(before.policyId)
    expect(out.policy?.policyId).toMatch(/^[0-9a-f]{32}$/)
    expect(await getPolicy(world.deps, a.actor, 'alpha.example')).toMatchObject({
      policyId: out.policy?.policyId,
      mode: 'enforce',
    })
    expect(await getDomain(world.deps, a.actor, 'alpha.example')).toMatchObject({
      status: 'active',
      retiredAt: null,
      removeAt: null,
    })
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'status' },
    ])
    expect(await world.audit('domain.restore')).toMatchObject([
      {
        tenantId: a.id,
        detail: { policyId: out.policy?.policyId, previousPolicyId: before.policyId },
      },
    ])
  })

  it('when a domain is restored three times, then each restored instance of its policy has an id never used before', async () => {
    const { a, before } = await retiring()
    const ids = [before.policyId]

    for (let i = 0; i < 3; i++) {
      const restored = await restoreDomain(world.deps, a.actor, 'alpha.example')
      ids.push(restored.policy!.policyId)
      const retired = await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })
      if (retired.status !== 'retiring') throw new Error('expected retiring')
      ids.push(retired.policy.policyId)
    }

    // ids: before, then (restored, retired) three times. Every restored instance of the enforce
    // text gets an id never used before; the mode-none text keeps its content id.
    const restored = [ids[0], ids[1], ids[3], ids[5]]
    expect(new Set(restored).size).toBe(4)
    expect(new Set([ids[2], ids[4], ids[6]]).size).toBe(1)
    expect(restored).not.toContain(ids[2])
  })

  it('when the domain had no policy of its own when it was retired, then it is restored to no policy', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    await addDomain(
      world.deps,
      world.operator,
      { name: 'alpha.example', tenantId: a.id },
      { trusted: true },
    )
    await setPolicy(world.deps, a.actor, 'alpha.example', ENFORCE)
    // Beta proves control: it inherits alpha's max_age high mark (senders cached alpha's policy)
    // but has no policy of its own.
    const claim = await addDomain(world.deps, b.actor, { name: 'alpha.example' })
    world.dns.txts.set('_policyhost.alpha.example', [
      `policyhost-verify=${claim.verificationToken}`,
    ])
    await verifyDomain(world.deps, b.actor, 'alpha.example')
    const retired = await retireDomain(world.deps, b.actor, 'alpha.example', { force: false })
    expect(retired.status).toBe('retiring')

    const out = await restoreDomain(world.deps, b.actor, 'alpha.example')

    expect(out).toMatchObject({ policy: null, previousPolicyId: null })
    expect((await failure(getPolicy(world.deps, b.actor, 'alpha.example'))).code).toBe('NOT_FOUND')
    expect((await getDomain(world.deps, b.actor, 'alpha.example')).status).toBe('active')
  })

  it('when the domain is not being retired, then CONFLICT saying there is nothing to cancel', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    const err = await failure(restoreDomain(world.deps, a.actor, 'alpha.example'))

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toBe(
      'domain "alpha.example" is active, not being retired: there is no retirement to cancel',
    )
  })

  it("when another tenant restores a tenant's retiring domain, then NOT_FOUND and it stays retiring", async () => {
    await retiring()
    const b = await world.tenant('beta')

    const err = await failure(restoreDomain(world.deps, b.actor, 'alpha.example'))

    expect(err.code).toBe('NOT_FOUND')
    expect((await getDomain(world.deps, world.operator, 'alpha.example')).status).toBe('retiring')
  })
})
