import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import { column, scalar } from './helpers/server-store.js'
import { ADMIN_TOKEN, createTenant, domainWithPolicy } from './helpers/test-server.js'

const A_DOMAIN = 'tenant-a.org'
const POLICY = { mode: 'enforce', mx: ['mx.tenant-a.org'], maxAge: 86400 }
const RUA = { rua: ['mailto:tls@tenant-a.org'] }

let s: TestApp
let a: { id: string; token: string }
let b: { id: string; token: string }

beforeEach(async () => {
  s = await startApp()
  a = await createTenant(s, 'tenant-a')
  b = await createTenant(s, 'tenant-b')
  await domainWithPolicy(s, a.token, A_DOMAIN, POLICY)
  await s.request('PUT', `/api/v1/domains/${A_DOMAIN}/tls-rpt`, { token: a.token, json: RUA })
})
afterEach(async () => {
  await s.close()
})

/** What tenant A can see of its domain, through the API and on the policy host. */
async function stateOfA() {
  const get = (path: string) => s.request('GET', path, { token: a.token })
  return {
    domain: (await get(`/api/v1/domains/${A_DOMAIN}`)).json(),
    policy: (await get(`/api/v1/domains/${A_DOMAIN}/mta-sts`)).json(),
    tlsRpt: (await get(`/api/v1/domains/${A_DOMAIN}/tls-rpt`)).json(),
    records: (await get(`/api/v1/domains/${A_DOMAIN}/records`)).json(),
    served: (await servedPolicy(s, `mta-sts.${A_DOMAIN}`)).text,
  }
}

const ROUTES: [string, string, unknown?][] = [
  ['GET', `/api/v1/domains/${A_DOMAIN}`],
  ['DELETE', `/api/v1/domains/${A_DOMAIN}`],
  ['GET', `/api/v1/domains/${A_DOMAIN}/mta-sts`],
  ['PUT', `/api/v1/domains/${A_DOMAIN}/mta-sts`, { mode: 'none', mx: [], maxAge: 0 }],
  ['GET', `/api/v1/domains/${A_DOMAIN}/tls-rpt`],
  ['PUT', `/api/v1/domains/${A_DOMAIN}/tls-rpt`, { rua: ['mailto:evil@tenant-b.org'] }],
  ['DELETE', `/api/v1/domains/${A_DOMAIN}/tls-rpt`],
  ['GET', `/api/v1/domains/${A_DOMAIN}/records`],
  ['GET', `/api/v1/domains/${A_DOMAIN}/records?format=bind`],
  ['GET', `/api/v1/domains/${A_DOMAIN.toUpperCase()}.`],
]

describe('tenant isolation', () => {
  it("when tenant B calls any route on tenant A's domain, then every answer is 404 and A's data is unchanged", async () => {
    const before = await stateOfA()
    const auditBefore = (await s.audit()).length
    // What a domain nobody has looks like: B must not be able to tell the two apart.
    const absent = (
      await s.request('GET', '/api/v1/domains/nobody-has-this.org', { token: b.token })
    ).json()

    for (const [method, path, json] of ROUTES) {
      const res = await s.request(method, path, { token: b.token, json })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.headers['content-type'], `${method} ${path}`).toBe('application/problem+json')
      const body = res.json()
      expect(body.title).toBe(absent.title)
      expect(body.detail).toBe(absent.detail.replace('nobody-has-this.org', A_DOMAIN))
      expect(res.text).not.toContain(a.id)
    }

    expect(await stateOfA()).toEqual(before)
    expect(await s.audit()).toHaveLength(auditBefore)
    const bTokenId = await scalar(s, 'SELECT id FROM api_tokens WHERE tenant_id = ?', b.id)
    expect((await s.audit()).filter((r) => r.actor_token_id === bTokenId)).toEqual([])
    const refused = s
      .logged('request')
      .filter((l) => l.status === 404 && String(l.path).toLowerCase().includes(A_DOMAIN))
    expect(refused).toHaveLength(ROUTES.length)
  })

  it("when tenant B lists domains, then A's domain is not among them", async () => {
    await s.request('POST', '/api/v1/domains', { token: b.token, json: { name: 'tenant-b.org' } })

    const list = await s.request('GET', '/api/v1/domains', { token: b.token })

    expect(list.status).toBe(200)
    expect(list.json().domains.map((d: { name: string }) => d.name)).toEqual(['tenant-b.org'])
    const aList = (await s.request('GET', '/api/v1/domains', { token: a.token })).json()
    expect(aList.domains.map((d: { name: string }) => d.name)).toEqual([A_DOMAIN])
  })

  it("when tenant B adds A's domain in any spelling, then it gets 409 and A keeps it", async () => {
    for (const name of [A_DOMAIN, 'Tenant-A.ORG.']) {
      const res = await s.request('POST', '/api/v1/domains', { token: b.token, json: { name } })
      expect(res.status, name).toBe(409)
      expect(res.headers['content-type']).toBe('application/problem+json')
    }
    const owner = await column(s, 'SELECT tenant_id FROM domains WHERE name = ?', A_DOMAIN)
    expect(owner).toEqual([a.id])
  })

  it("when tenant B revokes A's token id, then it gets 404 and A's token still works", async () => {
    const aTokenId = await scalar<string>(s, 'SELECT id FROM api_tokens WHERE tenant_id = ?', a.id)

    const res = await s.request('DELETE', `/api/v1/tokens/${aTokenId}`, { token: b.token })

    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/problem+json')
    const revokedAt = await scalar(s, 'SELECT revoked_at FROM api_tokens WHERE id = ?', aTokenId)
    expect(revokedAt).toBeNull()
    expect((await s.request('GET', '/api/v1/domains', { token: a.token })).status).toBe(200)
    const operatorId = await scalar(s, "SELECT id FROM api_tokens WHERE label = 'ADMIN_TOKEN'")
    const op = await s.request('DELETE', `/api/v1/tokens/${operatorId}`, { token: b.token })
    expect(op.status).toBe(404)
    expect((await s.request('GET', '/api/v1/tenants', { token: ADMIN_TOKEN })).status).toBe(200)
  })

  it('when tenant B creates a token for tenant A, then it is refused with 403', async () => {
    const res = await s.request('POST', '/api/v1/tokens', {
      token: b.token,
      json: { label: 'sneaky', tenantId: a.id },
    })

    expect(res.status).toBe(403)
    const count = Number(
      await scalar(s, 'SELECT count(*) AS n FROM api_tokens WHERE tenant_id = ?', a.id),
    )
    expect(count).toBe(1)
  })
})

describe('authentication and authorization', () => {
  it('when the token is missing, malformed, unknown or revoked, then 401 with WWW-Authenticate', async () => {
    const minted = await s.request('POST', '/api/v1/tokens', {
      token: a.token,
      json: { label: 'ci' },
    })
    expect(minted.status).toBe(201)
    const { id, token: revoked } = minted.json()
    expect((await s.request('DELETE', `/api/v1/tokens/${id}`, { token: a.token })).status).toBe(204)
    const auditBefore = (await s.audit()).length
    const cases: [string, Record<string, string>][] = [
      ['no header', {}],
      ['basic scheme', { authorization: 'Basic dXNlcjpwYXNzd29yZA==' }],
      ['bearer without token', { authorization: 'Bearer' }],
      ['two words', { authorization: `Bearer ${a.token} extra` }],
      ['bad characters', { authorization: 'Bearer tok"en' }],
      ['unknown token', { authorization: 'Bearer ph_thisTokenWasNeverIssued0000000000000' }],
      ['revoked token', { authorization: `Bearer ${revoked}` }],
    ]

    for (const [what, headers] of cases) {
      const res = await s.request('GET', '/api/v1/domains', { headers })
      expect(res.status, what).toBe(401)
      expect(res.headers['www-authenticate'], what).toMatch(/^Bearer /)
      expect(res.headers['content-type'], what).toBe('application/problem+json')
      expect(res.json().status).toBe(401)
    }
    expect(await s.audit()).toHaveLength(auditBefore)
    const stored = await scalar(s, 'SELECT revoked_at FROM api_tokens WHERE id = ?', id)
    expect(stored).toEqual(expect.any(Number))
    expect((await s.audit()).map((r) => [r.action, r.subject]).slice(-2)).toEqual([
      ['token.create', id],
      ['token.revoke', id],
    ])
    expect(s.logged('request').filter((l) => l.status === 401)).toHaveLength(cases.length)
  })

  it('when a tenant token calls the tenant routes, then 403 and no tenant is created', async () => {
    const list = await s.request('GET', '/api/v1/tenants', { token: a.token })
    const create = await s.request('POST', '/api/v1/tenants', {
      token: a.token,
      json: { name: 'mallory' },
    })

    expect(list.status).toBe(403)
    expect(create.status).toBe(403)
    expect(create.headers['content-type']).toBe('application/problem+json')
    const names = await column(s, 'SELECT name FROM tenants')
    expect(names).not.toContain('mallory')
  })

  it('when a tenant asks for a forced removal, then 403 and the domain stays active', async () => {
    const res = await s.request('DELETE', `/api/v1/domains/${A_DOMAIN}?force=true`, {
      token: a.token,
    })

    expect(res.status).toBe(403)
    const status = await scalar(s, 'SELECT status FROM domains WHERE name = ?', A_DOMAIN)
    expect(status).toBe('active')
    expect((await servedPolicy(s, `mta-sts.${A_DOMAIN}`)).status).toBe(200)
  })

  it('when a token is used, then its last_used_at is recorded', async () => {
    const minted = await s.request('POST', '/api/v1/tokens', {
      token: a.token,
      json: { label: 'deploy' },
    })
    const { id, token } = minted.json()
    const lastUsed = () => scalar(s, 'SELECT last_used_at FROM api_tokens WHERE id = ?', id)
    expect(await lastUsed()).toBeNull()

    const before = Date.now()
    expect((await s.request('GET', '/api/v1/domains', { token })).status).toBe(200)

    const used = (await lastUsed()) as number
    expect(used).toBeGreaterThanOrEqual(before)
    expect(used).toBeLessThanOrEqual(Date.now())
  })
})
