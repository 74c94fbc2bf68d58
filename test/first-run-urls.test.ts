/**
 * Issue 10 point 2: on the default SERVICE_HOST=localhost every URL we hand out must work from
 * this machine — fetched exactly as printed or returned (name, port, path), through the system
 * resolver, trusting only the local CA's root — and what cannot work for outsiders is said.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { createServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTenant, issueDue, startServer, type TestServer } from './helpers/test-server.js'

const LOGO = readFileSync(new URL('./fixtures/svg/real-fastmail-fm.svg', import.meta.url))
const REPORT = readFileSync(
  new URL('./fixtures/tlsrpt/realworld/google-2022-09-15.json', import.meta.url),
)
const DOMAIN = JSON.parse(REPORT.toString('utf8')).policies[0].policy['policy-domain'] as string

let s: TestServer | undefined
afterEach(() => s?.close())

/** A port nothing listens on now, so the configured HTTPS_PORT is the one URLs must carry. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** An HTTPS request to a URL as given: its name goes through the system resolver and SNI. */
function fetchUrl(
  url: string,
  ca: string,
  opts: { method?: string; body?: Buffer; type?: string } = {},
): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', ca, headers: opts.type ? { 'content-type': opts.type } : {} },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        )
      },
    )
    // Which URL failed is the first thing to know.
    req.on('error', (err) => reject(new Error(`${url}: ${err.message}`, { cause: err })))
    req.end(opts.body)
  })
}

describe('a first run on SERVICE_HOST=localhost (issue 10 point 2)', () => {
  it('when the server starts, then every URL it prints or returns is fetched over HTTPS as given', async () => {
    const httpsPort = await freePort()
    s = await startServer({
      env: { SERVICE_HOST: 'localhost', HTTPS_PORT: String(httpsPort), PUBLIC_HTTPS_PORT: '' },
    })
    await issueDue(s)
    const root = readFileSync(`${s.dataDir}/certs/local-ca/root.pem`, 'utf8')

    // Printed at start: where the admin API is and which root to trust.
    const listening = s.logged('listening')[0]!
    expect(listening.adminApi).toBe(`https://localhost:${httpsPort}/api/v1`)
    expect(listening.trust).toBe(`${s.dataDir}/certs/local-ca/root.pem`)
    const spec = await fetchUrl(`${listening.adminApi as string}/openapi.json`, root)
    expect(spec.status).toBe(200)
    expect((await fetchUrl(`https://localhost:${httpsPort}/healthz`, root)).status).toBe(200)
    const warned = s.logged('service_host').map((l) => l.warning as string)
    expect(warned.some((w) => w.includes('localhost is not a public name'))).toBe(true)
    expect(warned.some((w) => w.includes('local CA'))).toBe(true)

    const auth = { token: (await createTenant(s, 'first')).token }
    expect(
      (await s.request('POST', '/api/v1/domains', { ...auth, json: { name: DOMAIN } })).status,
    ).toBe(201)
    const tlsRpt = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      ...auth,
      json: { rua: [] },
    })
    const reportUrl = tlsRpt.json().reportUrl as string
    expect(reportUrl).toMatch(new RegExp(`^https://localhost:${httpsPort}/tlsrpt/`))
    const posted = await fetchUrl(reportUrl, root, {
      method: 'POST',
      body: REPORT,
      type: 'application/tlsrpt+json',
    })
    expect(posted.status, posted.body.toString()).toBe(201)

    const logo = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo`, {
      ...auth,
      rawBody: LOGO,
      headers: { 'content-type': 'image/svg+xml' },
    })
    expect(logo.status, logo.text).toBe(200)
    const got = await fetchUrl(logo.json().logoUrl, root)
    expect(got.status).toBe(200)
    expect(got.type).toBe('image/svg+xml')
    expect(got.body.equals(LOGO)).toBe(true)

    // The records still name localhost (nothing else could work here) and say why outsiders
    // cannot use them, in JSON and as zone-file comments.
    const recs = await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, auth)
    expect(recs.json().records[0]).toMatchObject({ type: 'CNAME', value: 'localhost.' })
    expect(recs.json().warnings.join('\n')).toContain('localhost is not a public name')
    const bind = await s.request('GET', `/api/v1/domains/${DOMAIN}/records?format=bind`, auth)
    expect(bind.text).toMatch(/^; WARNING: SERVICE_HOST localhost is not a public name/)
    const status = await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, auth)
    expect(status.json().warnings).toEqual(recs.json().warnings)
  })

  it('when SERVICE_HOST is public, then URLs carry no port and only the local CA is warned about', async () => {
    s = await startServer({ env: { SERVICE_HOST: 'svc.example.net', PUBLIC_HTTPS_PORT: '' } })
    const token = (await createTenant(s, 'public')).token
    await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    const put = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      token,
      json: { rua: [] },
    })
    expect(put.json().reportUrl).toMatch(/^https:\/\/svc\.example\.net\/tlsrpt\//)
    // The local CA still issues here, which is all this run can warn about.
    const warnings = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
      .warnings as string[]
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('local CA')
  })
})
