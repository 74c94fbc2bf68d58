import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { ensureReportToken, rotateReportToken, TOKEN_GRACE_MS } from './report-endpoint.js'
import { setTlsRpt } from './tls-rpt.js'

let world: ServiceWorld
afterEach(() => world.close())

const tokenOf = (url: string) => url.split('/tlsrpt/')[1]!

async function withTlsRpt() {
  world = await serviceWorld()
  const a = await world.tenant('alpha')
  const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  const { reportUrl } = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: [] })
  return { a, domain, token: tokenOf(reportUrl) }
}

describe('ensureReportToken', () => {
  it('when asked twice, then the same token is returned and it leads to the domain', async () => {
    const { domain, token } = await withTlsRpt()

    expect(await ensureReportToken(world.deps, domain.id)).toBe(token)
    expect(await world.deps.repos.reports.endpoint(token, START)).toMatchObject({
      domainId: domain.id,
      domain: 'alpha.example',
    })
  })
})

describe('rotateReportToken', () => {
  it('when the URL is rotated, then the new one works, the old one works for the grace week and then stops', async () => {
    const { a, domain, token: old } = await withTlsRpt()

    const out = await rotateReportToken(world.deps, a.actor, 'alpha.example')

    const fresh = tokenOf(out.url)
    expect(fresh).not.toBe(old)
    expect(out.previousValidUntil).toEqual(new Date(START.getTime() + TOKEN_GRACE_MS))
    expect(await ensureReportToken(world.deps, domain.id)).toBe(fresh)
    const at = (seconds: number) => new Date(START.getTime() + seconds * 1000)
    const week = TOKEN_GRACE_MS / 1000
    expect(await world.deps.repos.reports.endpoint(old, at(week - 1))).not.toBeNull()
    expect(await world.deps.repos.reports.endpoint(old, at(week))).toBeNull()
    expect(await world.deps.repos.reports.endpoint(fresh, at(week * 10))).not.toBeNull()
    expect(await world.audit('tlsrpt.rotate')).toMatchObject([
      { tenantId: a.id, detail: { graceUntil: out.previousValidUntil.toISOString() } },
    ])
  })

  it('when the domain has no TLS-RPT settings, then NOT_FOUND', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    const err = await failure(rotateReportToken(world.deps, a.actor, 'alpha.example'))

    expect(err.message).toBe('domain "alpha.example" has no TLS-RPT settings')
  })

  it("when another tenant rotates a tenant's URL, then NOT_FOUND and the URL stays", async () => {
    const { domain, token } = await withTlsRpt()
    const b = await world.tenant('beta')

    const err = await failure(rotateReportToken(world.deps, b.actor, 'alpha.example'))

    expect(err.code).toBe('NOT_FOUND')
    expect(await ensureReportToken(world.deps, domain.id)).toBe(token)
  })
})
