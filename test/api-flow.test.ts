import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import { scalar } from './helpers/server-store.js'
import { ADMIN_TOKEN, SERVICE_HOST } from './helpers/test-server.js'

const DOMAIN = 'example.org'
const POLICY = { mode: 'enforce', mx: ['Mail.Example.ORG', '*.mx.example.net'], maxAge: 604800 }
const POLICY_TEXT =
  'version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmx: *.mx.example.net\r\n' +
  'max_age: 604800\r\n'
// Three long https URIs: the TLS-RPT TXT value is well over one 255-octet character-string.
const RUA = [
  'mailto:tlsrpt@example.org',
  ...[1, 2, 3].map((i) => `https://reports-${i}.example.net/v1/tlsrpt/${'r'.repeat(90)}/${i}`),
]

let s: TestApp
beforeEach(async () => {
  s = await startApp()
})
afterEach(async () => {
  await s.close()
})

/** Every `"…"` character-string of a BIND line, unescaped. */
function characterStrings(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'))
}

const policySetLogs = () => s.logged('policy_set').filter((l) => l.domain === DOMAIN)

describe('the whole flow', () => {
  it('when a tenant registers a domain, sets a policy and TLS-RPT, then records and served bytes agree', async () => {
    const created = await s.request('POST', '/api/v1/tenants', {
      token: ADMIN_TOKEN,
      json: { name: 'alpha' },
    })
    expect(created.status).toBe(201)
    const tenant = created.json()
    expect(Object.keys(tenant).sort()).toEqual(['createdAt', 'id', 'name', 'token', 'tokenId'])
    expect(tenant.name).toBe('alpha')
    const token: string = tenant.token

    const added = await s.request('POST', '/api/v1/domains', {
      token,
      json: { name: 'Example.ORG.' },
    })
    expect(added.status).toBe(201)
    expect(added.json()).toMatchObject({
      name: DOMAIN,
      tenantId: tenant.id,
      status: 'active',
      policyHost: `mta-sts.${DOMAIN}`,
      removeAt: null,
    })

    const put = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: POLICY })
    expect(put.status).toBe(200)
    const policy = put.json()
    expect(policy.text).toBe(POLICY_TEXT)
    expect(policy.id).toMatch(/^[A-Za-z0-9]{1,32}$/)
    expect(policy).toMatchObject({ domain: DOMAIN, mode: 'enforce', maxAge: 604800 })
    expect(policy.mx).toEqual(['mail.example.org', '*.mx.example.net'])

    const rpt = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      token,
      json: { rua: RUA },
    })
    expect(rpt.status).toBe(200)
    expect(rpt.json()).toMatchObject({ domain: DOMAIN, rua: RUA })

    const records = await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })
    expect(records.status).toBe(200)
    const body = records.json()
    expect(body.domain).toBe(DOMAIN)
    // Our hosted report endpoint comes first (issue 5), then the tenant's own URIs.
    const reportToken = await scalar<string>(s, 'SELECT token FROM tlsrpt_tokens')
    expect(reportToken).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const hosted = `https://${SERVICE_HOST}/tlsrpt/${reportToken}`
    const tlsValue = `v=TLSRPTv1; rua=${[hosted, ...RUA].join(',')}`
    expect(
      body.records.map(({ name, type, value }: Record<string, string>) => [name, type, value]),
    ).toEqual([
      [`mta-sts.${DOMAIN}`, 'CNAME', `${SERVICE_HOST}.`],
      [`_mta-sts.${DOMAIN}`, 'TXT', `v=STSv1; id=${policy.id}`],
      [`_smtp._tls.${DOMAIN}`, 'TXT', tlsValue],
    ])
    for (const r of body.records) expect(r.purpose).toMatch(/^[^\n]{10,}$/)

    const bind = await s.request('GET', `/api/v1/domains/${DOMAIN}/records?format=bind`, { token })
    expect(bind.status).toBe(200)
    expect(bind.headers['content-type']).toMatch(/^text\/plain/)
    expect(bind.text).toContain(`mta-sts.${DOMAIN}. IN CNAME ${SERVICE_HOST}.`)
    expect(bind.text).toContain(`_mta-sts.${DOMAIN}. IN TXT "v=STSv1; id=${policy.id}"`)
    const tlsLine = bind.text.split('\n').find((l) => l.startsWith(`_smtp._tls.${DOMAIN}. IN TXT `))
    const chunks = characterStrings(tlsLine ?? '')
    expect(Buffer.byteLength(tlsValue)).toBeGreaterThan(255)
    expect(chunks.length).toBeGreaterThanOrEqual(2)
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(255)
    expect(chunks.join('')).toBe(tlsValue)

    const served = await servedPolicy(s, `mta-sts.${DOMAIN}`)
    expect(served.status).toBe(200)
    expect(served.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(served.bytes.equals(Buffer.from(policy.text, 'utf8'))).toBe(true)

    const [setLog] = s.logged('policy_set').filter((l) => l.domain === DOMAIN)
    expect(setLog).toMatchObject({ domain: DOMAIN, policyId: policy.id, mode: 'enforce' })
    const putLine = s.logged('request').find((l) => l.requestId === put.headers['x-request-id'])
    expect(putLine).toMatchObject({
      method: 'PUT',
      path: `/api/v1/domains/${DOMAIN}/mta-sts`,
      status: 200,
    })
    expect(s.logs.join('\n')).not.toContain(token)
    expect(s.logs.join('\n')).not.toContain(ADMIN_TOKEN)

    const operatorId = await scalar(s, "SELECT id FROM api_tokens WHERE label = 'ADMIN_TOKEN'")
    const tenantTokenId = await scalar(
      s,
      'SELECT id FROM api_tokens WHERE tenant_id = ?',
      tenant.id,
    )
    const audit = (await s.audit()).filter((r) => r.tenant_id === tenant.id)
    expect(audit.map((r) => [r.action, r.subject, r.actor_token_id, r.tenant_id])).toEqual([
      ['tenant.create', 'alpha', operatorId, tenant.id],
      ['domain.create', DOMAIN, tenantTokenId, tenant.id],
      ['policy.set', DOMAIN, tenantTokenId, tenant.id],
      ['tlsrpt.set', DOMAIN, tenantTokenId, tenant.id],
    ])
  })

  it('when the same policy is set again, then the id is kept and nothing is written', async () => {
    const { token } = (
      await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name: 'a' } })
    ).json()
    await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    const first = (
      await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: POLICY })
    ).json()
    const auditBefore = (await s.audit()).length

    const again = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
      token,
      json: POLICY,
    })

    expect(again.status).toBe(200)
    expect(again.json().id).toBe(first.id)
    expect(again.json().updatedAt).toBe(first.updatedAt)
    expect(await s.audit()).toHaveLength(auditBefore)
    expect(policySetLogs()).toHaveLength(1)
  })

  it('when the policy changes, then the id changes and the new bytes are served at once', async () => {
    const { token } = (
      await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name: 'a' } })
    ).json()
    await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    const first = (
      await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: POLICY })
    ).json()

    const changed = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
      token,
      json: { ...POLICY, mode: 'testing' },
    })

    expect(changed.status).toBe(200)
    const next = changed.json()
    expect(next.id).not.toBe(first.id)
    expect(next.text).toBe(POLICY_TEXT.replace('mode: enforce', 'mode: testing'))
    expect((await servedPolicy(s, `mta-sts.${DOMAIN}`)).text).toBe(next.text)
    const records = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
    expect(records.records[1].value).toBe(`v=STSv1; id=${next.id}`)
    expect((await s.request('GET', `/api/v1/domains/${DOMAIN}/mta-sts`, { token })).json()).toEqual(
      next,
    )
    expect(policySetLogs().map((l) => l.policyId)).toEqual([first.id, next.id])
  })

  it('when TLS-RPT is cleared, then the _smtp._tls record disappears and the change is audited', async () => {
    const { token } = (
      await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name: 'a' } })
    ).json()
    await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token, json: { rua: RUA } })

    const cleared = await s.request('DELETE', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token })

    expect(cleared.status).toBe(204)
    expect((await s.request('GET', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token })).status).toBe(
      404,
    )
    const records = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
    expect(records.records.map((r: { name: string }) => r.name)).toEqual([`mta-sts.${DOMAIN}`])
    expect((await s.audit()).at(-1)).toMatchObject({ action: 'tlsrpt.clear', subject: DOMAIN })
  })
})
