import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  createTenant,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'

const DOMAIN = 'example.com'
let s: TestServer
let token: string
beforeEach(async () => {
  s = await startServer()
  token = (await createTenant(s, 'alpha')).token
  const added = await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
  expect(added.status).toBe(201)
  const put = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
    token,
    json: { rua: ['mailto:tlsrpt@example.com'] },
  })
  expect(put.status).toBe(200)
})
afterEach(async () => {
  await s.close()
})

const URL_RE = new RegExp(`^https://${SERVICE_HOST.replace(/\./g, '\\.')}/tlsrpt/[A-Za-z0-9_-]+$`)

describe('TLS-RPT report URL (issue 10 point 4)', () => {
  it('when TLS-RPT is read, then the hosted report URL is shown besides the rua list', async () => {
    const res = await s.request('GET', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token })
    expect(res.status).toBe(200)
    expect(res.json().rua).toEqual(['mailto:tlsrpt@example.com'])
    expect(res.json().reportUrl).toMatch(URL_RE)
  })

  it('when rotate is POSTed as documented (no body, no content type), then 200 with the new URL, which GET shows', async () => {
    const before = (await s.request('GET', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token })).json()
    const rotated = await s.request('POST', `/api/v1/domains/${DOMAIN}/tls-rpt/rotate`, { token })
    expect(rotated.status).toBe(200)
    const { url } = rotated.json()
    expect(url).toMatch(URL_RE)
    expect(url).not.toBe(before.reportUrl)
    const after = await s.request('GET', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      token: ADMIN_TOKEN,
    })
    expect(after.json().reportUrl).toBe(url)
  })
})
