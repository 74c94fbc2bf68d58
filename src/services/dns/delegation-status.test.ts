import { afterEach, describe, expect, it } from 'vitest'
import { alphaWithDomain, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { domainStatus } from '../domains/domain-status.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { setDnsMode } from './dns-mode.js'
import { syncZoneEntry } from './zone-sync.js'

const ZONE = 'dns.policyhost.test'
const POLICY = { mode: 'enforce' as const, mx: ['mx.alpha.example'], maxAge: 86400 }

let world: ServiceWorld
afterEach(() => world.close())

/** A delegated domain whose zone entry is written (as the zone engine would, one instance). */
async function delegated() {
  world = await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' })
  const { a, domain } = await alphaWithDomain(world)
  const policy = await setPolicy(world.deps, a.actor, 'alpha.example', POLICY)
  const d = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')
  await world.deps.repos.zone.version(1)
  const ctx = { deps: world.deps, instanceId: 'here', liveWindowMs: 20_000, serves: () => true }
  await world.deps.repos.zone.heartbeat('here', world.clock.now())
  await syncZoneEntry(ctx, domain.id)
  const target = `${d.dnsLabel}._mta-sts.${ZONE}`
  return { a, domain, policy, ctx, target, value: `v=STSv1; id=${policy.policyId}` }
}

const mtaSts = async (w: ServiceWorld, actor: Parameters<typeof domainStatus>[1]) =>
  (await domainStatus(w.deps, actor, 'alpha.example')).dns

describe('delegation status (issue 12 point 4)', () => {
  it.for([
    {
      name: 'the CNAME points at the zone and resolves to its value',
      cname: ['T'],
      txt: ['V'],
      check: 'ok',
      detail: null,
    },
    { name: 'no CNAME and no TXT', cname: [], txt: [], check: 'missing', detail: null },
    {
      name: 'the owner still publishes the TXT itself',
      cname: [],
      txt: ['v=STSv1; id=old'],
      check: 'missing',
      detail: 'publishes TXT itself: v=STSv1; id=old',
    },
    {
      name: 'a CNAME to somewhere else',
      cname: ['elsewhere.example'],
      txt: [],
      check: 'wrong-target',
      detail: 'CNAME to elsewhere.example',
    },
    {
      name: 'the right CNAME, but our zone does not answer through it',
      cname: ['T'],
      txt: [],
      check: 'wrong-value',
      detail: 'resolves to no TXT',
    },
  ])('when $name, then the check says $check', async (row) => {
    const { a, target, value } = await delegated()
    const name = '_mta-sts.alpha.example'
    world.dns.cnames.set(
      name,
      row.cname.map((c) => (c === 'T' ? target : c)),
    )
    world.dns.txts.set(
      name,
      row.txt.map((t) => (t === 'V' ? value : t)),
    )

    const dns = await mtaSts(world, a.actor)

    expect(dns?.records).toEqual([
      { name, target: `${target}.`, value, check: row.check, detail: row.detail },
    ])
  })

  it('when the lookup fails, then the check is an error with the code only', async () => {
    const { a } = await delegated()
    world.dns.failing.add('_mta-sts.alpha.example')

    const dns = await mtaSts(world, a.actor)

    expect(dns?.records[0]).toMatchObject({ check: 'error', detail: 'lookup failed' })
  })

  it('when another instance does not serve a new policy yet, then zoneId and policyId differ and inFlight says why', async () => {
    const { a, domain, policy, ctx } = await delegated()
    await world.deps.repos.zone.heartbeat('other', world.clock.now())
    const next = await setPolicy(world.deps, a.actor, 'alpha.example', { ...POLICY, maxAge: 1000 })
    await syncZoneEntry(ctx, domain.id)

    const dns = await mtaSts(world, a.actor)

    expect(dns).toMatchObject({ mode: 'delegated', zone: ZONE, zoneId: policy.policyId })
    expect(dns?.policyId).toBe(next.policyId)
    expect(dns?.inFlight).toBe(
      `waiting until every serving instance serves policy ${next.policyId} (1 not yet)`,
    )
    expect(dns?.inFlight).not.toContain('other')
  })

  it('when the domain is in self mode, then status has no dns section', async () => {
    world = await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' })
    const { a } = await alphaWithDomain(world)
    expect(await mtaSts(world, a.actor)).toBeNull()
  })
})
