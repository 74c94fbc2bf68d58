import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { TableDns } from './helpers/services.js'
import { createTenant, domainWithPolicy, MutableClock } from './helpers/test-server.js'

const DOMAIN = 'checks.example.org'
let s: TestApp
afterEach(() => s.close())

/**
 * A server whose resolver is a table (the service tests' double; the real resolver against knot
 * belongs to the e2e suite), tenant `acme` with an enforce policy for DOMAIN.
 */
async function server() {
  const clock = new MutableClock(new Date('2026-12-06T09:00:00Z'))
  s = await startApp({ clock })
  const dns = new TableDns()
  Object.assign(s.runtime.deps, { dns })
  const { token } = await createTenant(s, 'acme')
  await domainWithPolicy(s, token, DOMAIN, {
    mode: 'enforce',
    mx: ['mx1.checks.example.org'],
    maxAge: 86400,
  })
  const policyId = (await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    .policy.id as string
  dns.txts.set(`_mta-sts.${DOMAIN}`, [`v=STSv1; id=${policyId}`])
  dns.mxs.set(DOMAIN, ['mx1.checks.example.org', 'abc-def.mail.protection.outlook.com'])
  return { token, dns, clock }
}

const post = (token: string, name = DOMAIN) =>
  s.request('POST', `/api/v1/domains/${name}/checks`, { token })

describe('domain checks over the API (issue 13)', () => {
  it('when a check runs, then the uncovered MX is an open error, GET shows it with its history, and the suggestion covers every MX', async () => {
    const { token } = await server()

    const res = await post(token)

    expect(res.status).toBe(200)
    expect(res.json().changes).toEqual([
      { change: 'opened', key: 'mx:uncovered:abc-def.mail.protection.outlook.com' },
    ])
    const got = (await s.request('GET', `/api/v1/domains/${DOMAIN}/checks`, { token })).json()
    expect(got.findings).toMatchObject([{ kind: 'mx', severity: 'error' }])
    expect(got.runs.map((r: { kind: string }) => r.kind).sort()).toEqual([
      'bimi',
      'certificate',
      'mx',
      'policy-host',
      'starttls',
      'sts-record',
      'tls-rpt',
      'tlsrpt-record',
    ])
    expect(got.history).toMatchObject([{ change: 'opened', kind: 'mx' }])
    const status = (await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    expect(status.checks.findings).toEqual(got.findings)
    expect(status.checks.runs).toEqual(got.runs)
    const mx = (await s.request('GET', `/api/v1/domains/${DOMAIN}/mx-suggestion`, { token })).json()
    expect(mx).toEqual({
      live: ['mx1.checks.example.org', 'abc-def.mail.protection.outlook.com'],
      uncovered: ['abc-def.mail.protection.outlook.com'],
      suggested: ['*.mail.protection.outlook.com', 'mx1.checks.example.org'],
    })
  })

  it('when checks are asked again within 10 s, then 429 with Retry-After, and after it they run', async () => {
    const { token, clock } = await server()
    await post(token)

    const again = await post(token)
    clock.advance(10)
    const later = await post(token)

    expect(again.status).toBe(429)
    expect(again.headers['content-type']).toContain('application/problem+json')
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0)
    expect(later.status).toBe(200)
    // Nothing changed between the two runs that happened: no change is reported twice.
    expect(later.json().changes).toEqual([])
  })

  it("when another tenant asks for this domain's checks, then 404 and nothing runs", async () => {
    const { dns } = await server()
    const other = await createTenant(s, 'other')
    dns.failing.add(DOMAIN)

    const res = await post(other.token)
    const read = await s.request('GET', `/api/v1/domains/${DOMAIN}/checks`, { token: other.token })

    expect(res.status).toBe(404)
    expect(read.status).toBe(404)
    expect(res.text).not.toContain('mx1')
  })

  it('when the history is paged with a bad limit, then 422 naming it', async () => {
    const { token } = await server()

    const res = await s.request('GET', `/api/v1/domains/${DOMAIN}/checks?limit=0`, { token })

    expect(res.status).toBe(422)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('limit')
  })
})
