import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import { column, scalar } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  type TestResponse,
} from './helpers/test-server.js'

const DOMAIN = 'errors.example.org'
const POLICY = { mode: 'testing', mx: ['mx1.example.org'], maxAge: 86400 }
const POLICY_PATH = `/api/v1/domains/${DOMAIN}/mta-sts`

let s: TestApp
let token: string
let stored: { id: string; text: string }

beforeEach(async () => {
  s = await startApp({ env: { API_BODY_LIMIT: '2048' } })
  token = (await createTenant(s, 'errors')).token
  stored = await domainWithPolicy(s, token, DOMAIN, POLICY)
})
afterEach(async () => {
  await s.close()
})

/** A problem+json answer with the given status and no internals in it. */
function expectProblem(res: TestResponse, status: number): Record<string, unknown> {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json')
  const body = res.json()
  expect(body).toMatchObject({
    type: 'about:blank',
    status,
    requestId: res.headers['x-request-id'],
  })
  expect(body.title).toEqual(expect.any(String))
  expect(body.detail).toEqual(expect.any(String))
  expect(body).not.toHaveProperty('stack')
  expect(res.text).not.toMatch(/\bat .*[\\/].*:\d+|node_modules|\.ts:\d+|Error:/)
  return body
}

/** The policy as the API and the policy host show it, with the audit trail length. */
async function policyState() {
  return {
    api: (await s.request('GET', POLICY_PATH, { token })).json(),
    served: (await servedPolicy(s, `mta-sts.${DOMAIN}`)).text,
    audit: (await s.audit()).length,
    logged: s.logged('policy_set').filter((l) => l.domain === DOMAIN).length,
  }
}

describe('request errors', () => {
  it('when the JSON is malformed, then 400 and nothing changes', async () => {
    const before = await policyState()

    const res = await s.request('PUT', POLICY_PATH, {
      token,
      rawBody: '{"mode": "enforce", "mx": [',
      headers: { 'content-type': 'application/json' },
    })

    expectProblem(res, 400)
    expect(await policyState()).toEqual(before)
  })

  it('when the body is over API_BODY_LIMIT, then 413 and nothing changes', async () => {
    const before = await policyState()
    const mx = Array.from(
      { length: 70 },
      (_, i) => `mx-${String(i).padStart(3, '0')}.${'a'.repeat(50)}.org`,
    )
    const json = { mode: 'enforce', mx, maxAge: 86400 }
    expect(JSON.stringify(json).length).toBeGreaterThan(4096)

    const res = await s.request('PUT', POLICY_PATH, { token, json })

    expectProblem(res, 413)
    expect(await policyState()).toEqual(before)
  })

  it('when the body is not labelled JSON, then 415 and nothing changes', async () => {
    const before = await policyState()

    const res = await s.request('PUT', POLICY_PATH, {
      token,
      rawBody: JSON.stringify({ ...POLICY, mode: 'enforce' }),
      headers: { 'content-type': 'text/plain' },
    })

    expectProblem(res, 415)
    expect(await policyState()).toEqual(before)
  })

  it('when a policy has several problems, then 422 lists each with its path and nothing changes', async () => {
    const before = await policyState()
    const bad = {
      mode: 'enforce',
      mx: ['mail..example.org', 'mx.example.org', 'MX.Example.ORG', 'mx.*.example.org'],
      maxAge: 31557601,
    }

    const res = await s.request('PUT', POLICY_PATH, { token, json: bad })

    const body = expectProblem(res, 422)
    const errors = body.errors as { path: string; message: string }[]
    expect([...new Set(errors.map((e) => e.path))].sort()).toEqual([
      'maxAge',
      'mx.0',
      'mx.2',
      'mx.3',
    ])
    for (const e of errors) expect(e.message).toMatch(/\S/)
    expect(errors.find((e) => e.path === 'mx.2')?.message).toContain('repeats')
    expect(await policyState()).toEqual(before)
    expect((await servedPolicy(s, `mta-sts.${DOMAIN}`)).text).toBe(stored.text)
  })

  it.each([
    ['com', 'public suffix'],
    ['co.uk', 'public suffix'],
    ['-bad.example', 'hyphen'],
    [`${'a'.repeat(64)}.example.org`, '64 octets'],
    ['192.0.2.1', 'IP address'],
    ['exa_mple.org', ''],
  ])(
    'when the domain name is %j, then 422 names the problem and nothing is stored',
    async (name, why) => {
      const auditBefore = (await s.audit()).length

      const res = await s.request('POST', '/api/v1/domains', { token, json: { name } })

      const body = expectProblem(res, 422)
      const errors = body.errors as { path: string; message: string }[]
      expect(errors.length).toBeGreaterThan(0)
      expect(errors.every((e) => e.path === 'name')).toBe(true)
      expect(errors.map((e) => e.message).join('\n')).toContain(why)
      expect(await s.audit()).toHaveLength(auditBefore)
      const names = await column(s, 'SELECT name FROM domains')
      expect(names).not.toContain(name.toLowerCase())
    },
  )

  it('when an IDN is registered, then it is stored and served as its A-label', async () => {
    const res = await s.request('POST', '/api/v1/domains', {
      token,
      json: { name: 'Bücher.example' },
    })

    expect(res.status).toBe(201)
    expect(res.json()).toMatchObject({
      name: 'xn--bcher-kva.example',
      policyHost: 'mta-sts.xn--bcher-kva.example',
    })
    const names = await column(s, 'SELECT name FROM domains')
    expect(names).toContain('xn--bcher-kva.example')
    const byULabel = await s.request(
      'GET',
      `/api/v1/domains/${encodeURIComponent('bücher.example')}`,
      { token },
    )
    expect(byULabel.status).toBe(200)
    expect(byULabel.json().name).toBe('xn--bcher-kva.example')
    const put = await s.request('PUT', '/api/v1/domains/xn--bcher-kva.example/mta-sts', {
      token,
      json: POLICY,
    })
    expect((await servedPolicy(s, 'mta-sts.xn--bcher-kva.example')).text).toBe(put.json().text)
  })

  it('when an unknown /api/v1 path is asked for, then 404 problem+json', async () => {
    const res = await s.request('GET', '/api/v1/no-such-thing', { token: ADMIN_TOKEN })

    const body = expectProblem(res, 404)
    expect(body.instance).toBe('/api/v1/no-such-thing')
    const line = s.logged('request').find((l) => l.requestId === res.headers['x-request-id'])
    expect(line).toMatchObject({ path: '/api/v1/no-such-thing', status: 404 })
  })

  it.each(['100%25.example.org', 'bad%25zz.example.org'])(
    'when the domain in the path decodes to a stray "%%" (%j), then 404, not 500',
    async (segment) => {
      const res = await s.request('GET', `/api/v1/domains/${segment}`, { token })

      expectProblem(res, 404)
      expect(s.logged('unhandled_error')).toEqual([])
    },
  )

  it('when a tenant name is taken, then 409 and there is still one tenant of that name', async () => {
    const res = await s.request('POST', '/api/v1/tenants', {
      token: ADMIN_TOKEN,
      json: { name: 'errors' },
    })

    expectProblem(res, 409)
    const count = Number(await scalar(s, "SELECT count(*) AS n FROM tenants WHERE name = 'errors'"))
    expect(count).toBe(1)
  })

  it('when an unknown field is sent, then 422 and the domain is not created', async () => {
    const res = await s.request('POST', '/api/v1/domains', {
      token,
      json: { name: 'extra.example.org', owner: 'me' },
    })

    expectProblem(res, 422)
    expect((await s.request('GET', '/api/v1/domains/extra.example.org', { token })).status).toBe(
      404,
    )
  })

  it('when the OpenAPI document is fetched without a token, then it describes the domain routes under /api/v1', async () => {
    // Documentation only, no tenant data: it is public, as README says.
    const res = await s.request('GET', '/api/v1/openapi.json')

    expect(res.status).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([{ url: '/api/v1' }])
    // The health view and a report's detail are described field by field, not "any object".
    const ok = (path: string) => doc.paths[path].get.responses['200'].content['application/json']
    expect(ok('/domains/{name}/tls-health').schema).toEqual({
      $ref: '#/components/schemas/TlsHealth',
    })
    expect(ok('/domains/{name}/tls-reports/{id}').schema).toEqual({
      $ref: '#/components/schemas/TlsReport',
    })
    expect(Object.keys(doc.components.schemas.TlsHealth.properties)).toEqual([
      'domain',
      'from',
      'to',
      'days',
      'totals',
    ])
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/domains', '/domains/{name}', '/domains/{name}/mta-sts']),
    )
  })
})
