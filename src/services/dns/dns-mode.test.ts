import { afterEach, describe, expect, it } from 'vitest'
import {
  alphaWithDomain,
  failure,
  serviceWorld,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { recordsFor } from '../domains/records.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { setDnsMode } from './dns-mode.js'

const ZONE = { DNS_ZONE: 'dns.policyhost.test', DNS_NAMESERVERS: 'ns1.policyhost.test' }

let world: ServiceWorld
afterEach(() => world.close())

describe('setDnsMode', () => {
  it('when the server runs no zone, then delegating is a CONFLICT naming DNS_ZONE and nothing changes', async () => {
    world = await serviceWorld()
    const { a } = await alphaWithDomain(world)

    const err = await failure(setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated'))

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('DNS_ZONE')
    expect((await world.deps.repos.domains.byName('alpha.example'))?.dnsMode).toBe('self')
    expect(world.changes).toEqual([])
  })

  it('when a domain is delegated, back to self and delegated again, then its label is given once and kept', async () => {
    world = await serviceWorld(ZONE)
    const { a, domain } = await alphaWithDomain(world)

    const first = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')
    await setDnsMode(world.deps, a.actor, 'alpha.example', 'self')
    const again = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')

    expect(first.dnsLabel).toMatch(/^alpha-example-[a-z2-7]+$/)
    expect(again.dnsLabel).toBe(first.dnsLabel)
    expect((await world.audit('domain.dns_mode')).map((r) => r.detail)).toEqual([
      { mode: 'delegated' },
      { mode: 'self' },
      { mode: 'delegated' },
    ])
    expect(world.changes.filter((c) => c.type === 'domain.changed')).toEqual(
      Array(3).fill({
        type: 'domain.changed',
        domainId: domain.id,
        domain: 'alpha.example',
        what: 'dns',
      }),
    )
  })

  it('when another tenant asks for the mode of a domain it does not own, then NOT_FOUND', async () => {
    world = await serviceWorld(ZONE)
    await alphaWithDomain(world)
    const b = await world.tenant('beta')

    const err = await failure(setDnsMode(world.deps, b.actor, 'alpha.example', 'delegated'))

    expect(err.code).toBe('NOT_FOUND')
  })

  it('when the label derived first is taken, then the next attempt is used', async () => {
    world = await serviceWorld(ZONE)
    const { a } = await alphaWithDomain(world)
    const b = await world.tenant('beta')
    // beta's domain takes alpha.example's first label by hand, as a clash would.
    const first = (await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')).dnsLabel
    await setDnsMode(world.deps, a.actor, 'alpha.example', 'self')
    await world.store.sql('UPDATE domains SET dns_label = NULL')
    const { addDomain } = await import('../domains/domains.js')
    const other = await addDomain(world.deps, b.actor, { name: 'beta.example' })
    await world.store.sql('UPDATE domains SET dns_label = ? WHERE id = ?', first, other.id)

    const second = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')

    expect(second.dnsLabel).not.toBe(first)
    expect(second.dnsLabel).toMatch(/^alpha-example-[a-z2-7]+$/)
  })

  it('when delegated, then records list CNAMEs into the zone for _mta-sts and keep the mta-sts CNAME', async () => {
    world = await serviceWorld(ZONE)
    const { a } = await alphaWithDomain(world)
    await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'testing',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })
    const d = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')

    const records = await recordsFor(world.deps, a.actor, 'alpha.example')

    expect(records.map((r) => [r.name, r.type, r.value])).toEqual([
      ['mta-sts.alpha.example', 'CNAME', `${world.deps.serviceHost}.`],
      ['_mta-sts.alpha.example', 'CNAME', `${d.dnsLabel}._mta-sts.dns.policyhost.test.`],
    ])
  })
})
