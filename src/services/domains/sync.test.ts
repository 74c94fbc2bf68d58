import { afterEach, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../core/actor.js'
import { serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { getPolicy } from '../mta-sts/mta-sts.js'
import { getTlsRpt } from '../tls-rpt/tls-rpt.js'
import { tenantByName } from '../tenants/tenants.js'
import { addDomain, getDomain } from './domains.js'
import { syncPolicyFiles } from './sync.js'

let world: ServiceWorld
afterEach(() => world.close())

const file = (name: string, spec: unknown) => ({
  path: `policies/${name}.json`,
  name,
  text: typeof spec === 'string' ? spec : JSON.stringify(spec),
})
const SPEC = {
  mtaSts: { mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 },
  tlsRpt: { rua: ['mailto:tls@alpha.example'] },
}

describe('syncPolicyFiles', () => {
  it('when a file is applied, then the local tenant gets a live domain with its policy and TLS-RPT; applying it again writes nothing', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })

    const first = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [file('alpha.example', SPEC)])
    const audits = (await world.audit()).length
    world.changes.length = 0
    const second = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [file('alpha.example', SPEC)])

    expect(first).toEqual([
      { path: 'policies/alpha.example.json', domain: 'alpha.example', result: 'created' },
    ])
    expect(second[0]?.result).toBe('unchanged')
    const local = await tenantByName(world.deps, SYSTEM_ACTOR, 'local')
    const domain = await getDomain(world.deps, SYSTEM_ACTOR, 'alpha.example')
    // Operator input: live at once even with DNS verification on.
    expect(domain).toMatchObject({ tenantId: local.id, status: 'active' })
    expect((await getPolicy(world.deps, SYSTEM_ACTOR, 'alpha.example')).mode).toBe('enforce')
    expect((await getTlsRpt(world.deps, SYSTEM_ACTOR, 'alpha.example')).rua).toEqual(
      SPEC.tlsRpt.rua,
    )
    expect(await world.audit()).toHaveLength(audits)
    expect(world.changes).toEqual([])
  })

  it('when a file changes the policy, then the result is updated and the policy id changes', async () => {
    world = await serviceWorld()
    await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [file('alpha.example', SPEC)])
    const before = await getPolicy(world.deps, SYSTEM_ACTOR, 'alpha.example')

    const out = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [
      file('alpha.example', { ...SPEC, mtaSts: { ...SPEC.mtaSts, mode: 'testing' } }),
    ])

    expect(out[0]?.result).toBe('updated')
    expect((await getPolicy(world.deps, SYSTEM_ACTOR, 'alpha.example')).policyId).not.toBe(
      before.policyId,
    )
  })

  it.each([
    ['not JSON', '{"mtaSts": ', /^invalid JSON: /],
    ['an unknown field', { mtaSts: SPEC.mtaSts, extra: 1 }, /^\(root\): /],
    ['enforce without mx', { mtaSts: { mode: 'enforce', mx: [], maxAge: 86400 } }, /^mtaSts\.mx: /],
    [
      'another domain inside',
      { ...SPEC, domain: 'beta.example' },
      /^domain: must name the file's domain "alpha.example"$/,
    ],
  ])(
    'when a file has %s, then it is reported and skipped while the others apply',
    async (_, spec, error) => {
      world = await serviceWorld()

      const out = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [
        file('alpha.example', spec),
        file('good.example', { mtaSts: { mode: 'none', mx: [], maxAge: 86400 } }),
      ])

      expect(out[0]).toMatchObject({ domain: null, result: 'error' })
      expect(out[0]?.error).toMatch(error)
      expect(out[1]).toMatchObject({ domain: 'good.example', result: 'created' })
      expect(world.logged('policy_file_rejected')).toMatchObject([
        { level: 'warn', path: 'policies/alpha.example.json' },
      ])
    },
  )

  it('when a file names a domain another tenant holds, then CONFLICT is reported and that tenant keeps it', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    const out = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [file('alpha.example', SPEC)])

    expect(out[0]).toMatchObject({
      result: 'error',
      error: 'domain "alpha.example" belongs to another tenant',
    })
    expect((await getDomain(world.deps, SYSTEM_ACTOR, 'alpha.example')).tenantId).toBe(a.id)
  })

  it('when the local tenant has a pending claim of the name, then the file verifies it (trusted)', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const local = await world.tenant('local')
    await addDomain(world.deps, local.actor, { name: 'alpha.example' })

    const out = await syncPolicyFiles(world.deps, SYSTEM_ACTOR, [file('alpha.example', SPEC)])

    expect(out[0]?.result).toBe('updated')
    expect((await getDomain(world.deps, local.actor, 'alpha.example')).status).toBe('active')
    expect((await world.audit('domain.verify'))[0]?.detail).toEqual({ method: 'trust' })
  })
})
