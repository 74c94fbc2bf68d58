import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { createTenant, domainWithPolicy } from './helpers/test-server.js'

const DOMAIN = 'dns.example.org'
const ZONE_ENV = { DNS_ZONE: 'dns.policyhost.test', DNS_NAMESERVERS: 'ns1.policyhost.test' }
let s: TestApp
afterEach(() => s.close())

/** A server (with `env`), tenant `acme` and its domain with a testing policy; its token. */
async function tenantWithDomain(env: Record<string, string> = {}): Promise<string> {
  s = await startApp({ env })
  const { token } = await createTenant(s, 'acme')
  await domainWithPolicy(s, token, DOMAIN, {
    mode: 'testing',
    mx: ['mx.dns.example.org'],
    maxAge: 86400,
  })
  return token
}

const putMode = (token: string, body: unknown, name = DOMAIN) =>
  s.request('PUT', `/api/v1/domains/${name}/dns`, { token, json: body })

describe('PUT /domains/:name/dns (issue 12)', () => {
  it('when a domain is delegated, then the domain shows its label, records the CNAMEs and status the dns section', async () => {
    const token = await tenantWithDomain(ZONE_ENV)

    const res = await putMode(token, { mode: 'delegated' })

    expect(res.status).toBe(200)
    const label = res.json().dns.label as string
    expect(res.json().dns).toEqual({
      mode: 'delegated',
      label: expect.stringMatching(/^dns-example-org-/),
    })
    const records = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
    expect(records.records).toContainEqual(
      expect.objectContaining({
        name: `_mta-sts.${DOMAIN}`,
        type: 'CNAME',
        value: `${label}._mta-sts.dns.policyhost.test.`,
      }),
    )
    const status = (await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    expect(status.dns).toMatchObject({ mode: 'delegated', zone: 'dns.policyhost.test' })
  })

  it.for([
    [{ mode: 'both' }, 'mode'],
    [{}, 'mode'],
    [{ mode: 'self', extra: 1 }, ''],
  ] as const)('when the body is %j, then 422 problem+json naming %s', async ([body, path]) => {
    const token = await tenantWithDomain(ZONE_ENV)

    const res = await putMode(token, body)

    expect(res.status).toBe(422)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
  })

  it('when the server runs no zone, then 409 naming DNS_ZONE', async () => {
    const token = await tenantWithDomain()

    const res = await putMode(token, { mode: 'delegated' })

    expect(res.status).toBe(409)
    expect(res.json().detail).toContain('DNS_ZONE')
  })
})
