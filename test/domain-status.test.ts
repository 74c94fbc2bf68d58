import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { createTenant, domainWithPolicy, issueDue } from './helpers/test-server.js'

const DOMAIN = 'status.example.org'
const HOST = `mta-sts.${DOMAIN}`
let s: TestApp
let token: string

beforeEach(async () => {
  s = await startApp()
  token = (await createTenant(s, 'acme')).token
})
afterEach(() => s.close())

const status = (tok = token, name = DOMAIN) =>
  s.request('GET', `/api/v1/domains/${name}/status`, { token: tok })

describe('GET /domains/:name/status', () => {
  it('when the certificate is issued, then each hostname shows it with its renewal time', async () => {
    const policy = await domainWithPolicy(s, token, DOMAIN, {
      mode: 'enforce',
      mx: ['mx.status.example.org'],
      maxAge: 86400,
    })
    await issueDue(s)
    const res = await status()
    expect(res.status).toBe(200)
    const body = res.json()
    const row = (
      await s.sql<{ serial: string; renew_at: number; due_at: number }>(
        'SELECT serial, renew_at, due_at FROM certificates WHERE hostname = ?',
        HOST,
      )
    )[0]!
    expect(body.policy).toEqual({ id: policy.id, mode: 'enforce', maxAge: 86400 })
    expect(body.domain).toMatchObject({ name: DOMAIN, status: 'active', policyHost: HOST })
    expect(body.hostnames).toEqual([
      {
        name: HOST,
        role: 'policy',
        dns: { status: 'unchecked', detail: null },
        certificate: expect.objectContaining({
          status: 'ok',
          serial: row.serial,
          issuer: expect.stringContaining('policyhost Local Root CA'),
          expired: false,
        }),
        lastError: null,
        lastAttemptAt: expect.any(String),
        failures: 0,
        nextAttemptAt: new Date(row.due_at).toISOString(),
      },
    ])
    expect(body.hostnames[0].certificate.renewAt).toBe(new Date(row.renew_at).toISOString())
  })

  it('when the domain was just added, then its hostname is queued (pending, due now)', async () => {
    const added = await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    expect(added.status).toBe(201)
    await s.runtime.certs.idle()
    const body = (await status()).json()
    expect(body.policy).toBeNull()
    expect(['pending', 'ok']).toContain(body.hostnames[0].certificate.status)
  })

  it('when another tenant or no token asks, then 404 and 401', async () => {
    await domainWithPolicy(s, token, DOMAIN, {
      mode: 'testing',
      mx: ['mx.status.example.org'],
      maxAge: 86400,
    })
    const other = await createTenant(s, 'other')
    const res = await status(other.token)
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect((await s.request('GET', `/api/v1/domains/${DOMAIN}/status`)).status).toBe(401)
  })
})
