import { afterEach, describe, expect, it } from 'vitest'
import {
  serviceWorld,
  type ServiceWorld,
  failure,
  alphaWithDomain,
} from '../../../test/helpers/services.js'
import { retireDomain } from '../domains/retire-domain.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { clearTlsRpt, getTlsRpt, setTlsRpt } from './tls-rpt.js'

let world: ServiceWorld
afterEach(() => world.close())

async function live() {
  world = await serviceWorld()
  return alphaWithDomain(world)
}

const RUA = ['mailto:tlsrpt@alpha.example']

describe('setTlsRpt', () => {
  it('when TLS-RPT is set, then the settings and a hosted report URL under the service host are stored, audited and published', async () => {
    const { a, domain } = await live()

    const out = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA })

    expect(out).toMatchObject({ domain: 'alpha.example', rua: RUA, changed: true })
    expect(out.reportUrl).toMatch(/^https:\/\/sts\.policyhost\.test\/tlsrpt\/[A-Za-z0-9_-]{22}$/)
    expect(await getTlsRpt(world.deps, a.actor, 'alpha.example')).toMatchObject({
      rua: RUA,
      reportUrl: out.reportUrl,
    })
    // Two: the report URL's first token, then the settings (both change the _smtp._tls record).
    const changed = {
      type: 'domain.changed',
      domainId: domain.id,
      domain: 'alpha.example',
      what: 'tls-rpt',
    }
    expect(world.changes).toEqual([changed, changed])
    expect(await world.audit('tlsrpt.set')).toMatchObject([
      { tenantId: a.id, detail: { rua: RUA } },
    ])
  })

  it('when the same settings are set again, then nothing is written and the report URL stays', async () => {
    const { a } = await live()
    const first = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA })
    world.changes.length = 0

    const again = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: [...RUA] })

    expect(again).toMatchObject({ changed: false, reportUrl: first.reportUrl })
    expect(world.changes).toEqual([])
    expect(await world.audit('tlsrpt.set')).toHaveLength(1)
  })

  it('when the rua list changes, then it is stored and the report URL stays the same', async () => {
    const { a } = await live()
    const first = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA })

    const next = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: [] })

    expect(next).toMatchObject({ changed: true, rua: [], reportUrl: first.reportUrl })
  })

  it('when the domain is being retired, then CONFLICT', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'testing',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })
    await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    const err = await failure(setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA }))

    expect(err.code).toBe('CONFLICT')
  })

  it("when another tenant sets, reads or clears a tenant's TLS-RPT, then NOT_FOUND and the settings stay", async () => {
    const { a } = await live()
    await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA })
    const b = await world.tenant('beta')

    const errs = await Promise.all([
      failure(setTlsRpt(world.deps, b.actor, 'alpha.example', { rua: [] })),
      failure(getTlsRpt(world.deps, b.actor, 'alpha.example')),
      failure(clearTlsRpt(world.deps, b.actor, 'alpha.example')),
    ])

    expect(errs.map((e) => e.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'])
    expect((await getTlsRpt(world.deps, a.actor, 'alpha.example')).rua).toEqual(RUA)
  })
})

describe('getTlsRpt and clearTlsRpt', () => {
  it('when TLS-RPT was never set, then reading or clearing it is NOT_FOUND saying so', async () => {
    const { a } = await live()

    const read = await failure(getTlsRpt(world.deps, a.actor, 'alpha.example'))
    const clear = await failure(clearTlsRpt(world.deps, a.actor, 'alpha.example'))

    expect(read.message).toBe('domain "alpha.example" has no TLS-RPT settings')
    expect(clear.code).toBe('NOT_FOUND')
  })

  it('when TLS-RPT is cleared, then it is gone, audited and published', async () => {
    const { a, domain } = await live()
    await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: RUA })
    world.changes.length = 0

    await clearTlsRpt(world.deps, a.actor, 'alpha.example')

    expect((await failure(getTlsRpt(world.deps, a.actor, 'alpha.example'))).code).toBe('NOT_FOUND')
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'tls-rpt' },
    ])
    expect(await world.audit('tlsrpt.clear')).toMatchObject([{ tenantId: a.id }])
  })
})
