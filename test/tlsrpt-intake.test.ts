import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { scalar } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  issueDue,
  MutableClock,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'

const FIX = new URL('./fixtures/tlsrpt/', import.meta.url)
const real = (f: string) => readFileSync(new URL(`realworld/${f}`, FIX))
const rule = (f: string) => readFileSync(new URL(`rules/${f}`, FIX))
const tsv = (f: string) =>
  readFileSync(new URL(f, FIX), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
const JSON_TYPE = 'application/tlsrpt+json'
const GZ_TYPE = 'application/tlsrpt+gzip'
const DOMAINS = ['test.xmox.nl', 'cardinalhealth.ca', 'example.com', 'company-y.example']

/**
 * The application (startApp: no socket, reports processed in-process) for what is accepted,
 * refused, stored and shown; the real server (setupServer) where a concurrent socket load, a
 * restart or the socket's source address is the point.
 */
let s: TestApp | TestServer
afterEach(() => s?.close())

/** A tenant with the sample reports' domains, each with TLS-RPT on; returns the report URLs. */
async function setup(env: Record<string, string> = {}, clock?: MutableClock) {
  s = await startApp({ env, clock })
  return reportingTenant()
}

/** As setup, on the real server (HTTPS listener, worker pool), certificates issued. */
async function setupServer(env: Record<string, string> = {}) {
  const server = await startServer({ env })
  s = server
  const tenant = await reportingTenant()
  await issueDue(server)
  return { ...tenant, server }
}

/** The operator creates a tenant; returns its token. */
async function createTenant(name: string): Promise<{ token: string }> {
  const res = await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name } })
  if (res.status !== 201) throw new Error(`tenant ${name}: ${res.status} ${res.text}`)
  return res.json()
}

async function reportingTenant() {
  const { token } = await createTenant('reports')
  const urls: Record<string, string> = {}
  for (const name of DOMAINS) {
    await s.request('POST', '/api/v1/domains', { token, json: { name } })
    await s.request('PUT', `/api/v1/domains/${name}/tls-rpt`, { token, json: { rua: [] } })
    const recs = (await s.request('GET', `/api/v1/domains/${name}/records`, { token })).json()
      .records
    const rua = recs.find((r: { name: string }) => r.name === `_smtp._tls.${name}`).value
    urls[name] = /rua=(https:\/\/\S+)$/.exec(rua)![1]!
  }
  return { token, urls }
}

/** A reporter's POST to the service host: over HTTPS on the real server. */
const post = (url: string, body: Buffer, type: string) => {
  const opts = { host: SERVICE_HOST, rawBody: body, headers: { 'content-type': type } }
  const path = new URL(url).pathname
  return 'httpsPort' in s
    ? s.request('POST', path, { ...opts, https: true })
    : s.request('POST', path, opts)
}
const count = async () => Number(await scalar(s, 'SELECT count(*) AS n FROM tls_reports'))
const domainOf = (body: Buffer) =>
  JSON.parse(body.toString('utf8')).policies[0].policy['policy-domain'] as string

describe('TLS report intake (RFC 8460 §5.4)', () => {
  it('when every real-world sample is posted, then each is stored once with the expected warnings', async () => {
    const { urls } = await setup()
    for (const [file, , type, , verdict, ruleText] of tsv('realworld/EXPECTED.tsv')) {
      const body = real(file!)
      const domain = domainOf(real(file!.replace(/\.gz$/, '')))
      const res = await post(urls[domain]!, body, type!)
      expect([200, 201], `${file}: ${res.text}`).toContain(res.status)
      if (res.status === 201 && verdict === 'quirk')
        expect(res.json().warnings.join('; ')).toContain(ruleText!.split(';')[0]!.slice(0, 30))
    }
    // The .gz twins repeat their .json report: stored once each.
    const distinct = readdirSync(new URL('realworld/', FIX)).filter((f) =>
      f.endsWith('.json'),
    ).length
    expect(await count()).toBe(distinct)
  })

  it('when a report breaks a rule, then it gets its status and nothing is stored', async () => {
    const { urls } = await setup()
    for (const [file, , type, status] of tsv('rules/EXPECTED.tsv')) {
      const res = await post(urls['example.com']!, rule(file!), type!)
      if (status === '2xx') expect([200, 201], `${file}: ${res.text}`).toContain(res.status)
      else {
        expect(String(res.status), `${file}: ${res.text}`).toBe(status)
        expect(res.headers['content-type']).toBe('application/problem+json')
      }
    }
    const stored = Number(await scalar(s, 'SELECT count(*) AS n FROM tls_reports'))
    // Accepted variants of one report share its report-id: stored once (de-duplication).
    const accepted = tsv('rules/EXPECTED.tsv').filter(
      (r) => r[3] === '2xx' && r[0]!.endsWith('.json'),
    )
    const ids = new Set(accepted.map((r) => JSON.parse(rule(r[0]!).toString('utf8'))['report-id']))
    expect(stored).toBe(ids.size)
    expect(s.logged('tlsrpt_refused').length).toBeGreaterThan(10)
  })

  it('when a gzip bomb, an oversized body, a wrong type or a GET arrives, then it is refused', async () => {
    const { urls } = await setup({ TLSRPT_MAX_BYTES: '200000' })
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024))
    // Stopped while inflating, at the cap (how fast: decode.test.ts, and the worker deadline).
    const refused = await post(urls['example.com']!, bomb, GZ_TYPE)
    expect(refused.status).toBe(413)
    expect(refused.json().detail).toMatch(/inflates to more than \d+ bytes/)
    expect((await post(urls['example.com']!, Buffer.alloc(300_000, 0x20), JSON_TYPE)).status).toBe(
      413,
    )
    expect((await post(urls['example.com']!, rule('base.json'), 'application/json')).status).toBe(
      415,
    )
    const get = await s.request('GET', new URL(urls['example.com']!).pathname, {
      host: SERVICE_HOST,
    })
    expect(get.status).toBe(405)
    expect(
      (await post(`https://${SERVICE_HOST}/tlsrpt/not-a-token`, rule('base.json'), JSON_TYPE))
        .status,
    ).toBe(404)
    expect(await count()).toBe(0)
  })

  it('when a report names a subdomain, then it is accepted only if the same tenant hosts it', async () => {
    const { token, urls } = await setup()
    const base = JSON.parse(rule('base.json').toString('utf8'))
    const forDomain = (name: string, id: string) => {
      const r = structuredClone(base)
      r['report-id'] = id
      r.policies[0].policy['policy-domain'] = name
      return Buffer.from(JSON.stringify(r))
    }
    await s.request('POST', '/api/v1/domains', { token, json: { name: 'mail.example.com' } })
    const other = await createTenant('neighbour')
    await s.request('POST', '/api/v1/domains', {
      token: other.token,
      json: { name: 'shop.example.com' },
    })
    expect(
      (await post(urls['example.com']!, forDomain('mail.example.com', 'own-sub'), JSON_TYPE))
        .status,
    ).toBe(201)
    const foreign = await post(
      urls['example.com']!,
      forDomain('shop.example.com', 'foreign-sub'),
      JSON_TYPE,
    )
    expect(foreign.status).toBe(422)
    expect(await count()).toBe(1)
  })

  it('when a report is for a domain the endpoint does not serve, then 422 and nothing is stored', async () => {
    const { urls } = await setup()
    const res = await post(urls['company-y.example']!, rule('base.json'), JSON_TYPE)
    expect(res.status).toBe(422)
    expect(res.json().errors[0].message).toContain('example.com')
    expect(await count()).toBe(0)
  })

  it('when 1,000 reports are posted concurrently, then all are stored, and a restart keeps them', async () => {
    // 1,000 connections at once from 127.0.0.1: above the default per-source cap (256).
    const { urls, server } = await setupServer({
      TLSRPT_RATE_PER_SOURCE: '5000',
      TLSRPT_RATE_PER_TENANT: '5000',
      MAX_CONNECTIONS_PER_SOURCE: '2000',
      // Reports are parsed in the worker pool; its queue would refuse most of them (503).
      WORKER_QUEUE_MAX: '2000',
    })
    const base = JSON.parse(rule('base.json').toString('utf8'))
    const bodies = Array.from({ length: 1000 }, (_, i) =>
      Buffer.from(JSON.stringify({ ...base, 'report-id': `load-${i}` })),
    )
    const results = await Promise.all(bodies.map((b) => post(urls['example.com']!, b, JSON_TYPE)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1000)
    expect(await count()).toBe(1000)
    s = await server.restart()
    expect(await count()).toBe(1000)
    // 2,000 TLS handshakes and 1,000 worker jobs on a loaded 2-core machine: up to ~30 s.
  }, 90_000)

  it('when one source sends too many, then 429', async () => {
    // The source is the socket's peer address: the real server.
    const { urls } = await setupServer({ TLSRPT_RATE_PER_SOURCE: '3' })
    const base = JSON.parse(rule('base.json').toString('utf8'))
    const statuses = []
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await post(
            urls['example.com']!,
            Buffer.from(JSON.stringify({ ...base, 'report-id': `r-${i}` })),
            JSON_TYPE,
          )
        ).status,
      )
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429])
  })

  it('when the report URL is rotated, then the old one works for the grace period only', async () => {
    const clock = new MutableClock(new Date())
    const { token, urls } = await setup({}, clock)
    const rotated = await s.request('POST', '/api/v1/domains/example.com/tls-rpt/rotate', { token })
    expect(rotated.status).toBe(200)
    const base = JSON.parse(rule('base.json').toString('utf8'))
    const body = (id: string) => Buffer.from(JSON.stringify({ ...base, 'report-id': id }))
    expect((await post(urls['example.com']!, body('old-1'), JSON_TYPE)).status).toBe(201)
    expect((await post(rotated.json().url, body('new-1'), JSON_TYPE)).status).toBe(201)
    clock.advance(8 * 86_400)
    expect((await post(urls['example.com']!, body('old-2'), JSON_TYPE)).status).toBe(404)
    expect((await post(rotated.json().url, body('new-2'), JSON_TYPE)).status).toBe(201)
  })

  it('when reports are stored, then the list, detail and health views show them', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { token, urls } = await setup({}, clock)
    await s.request('PUT', '/api/v1/domains/example.com/mta-sts', {
      token,
      json: { mode: 'testing', mx: ['mx.example.com'], maxAge: 86400 },
    })
    const created = await post(urls['example.com']!, rule('base.json'), JSON_TYPE)
    expect(created.status).toBe(201)
    const list = (
      await s.request(
        'GET',
        '/api/v1/domains/example.com/tls-reports?from=2026-11-01&to=2026-11-05',
        { token },
      )
    ).json()
    expect(list.reports).toHaveLength(1)
    expect(list.reports[0]).toMatchObject({
      id: created.json().id,
      start: '2026-11-01T00:00:00.000Z',
    })
    const detail = (
      await s.request('GET', `/api/v1/domains/example.com/tls-reports/${created.json().id}`, {
        token,
      })
    ).json()
    expect(detail.rawJson).toBe(rule('base.json').toString('utf8'))
    const health = (
      await s.request('GET', '/api/v1/domains/example.com/tls-health?days=7', { token })
    ).json()
    const day = health.days.find((d: { day: string }) => d.day === '2026-11-01')
    expect(day.successfulSessions + day.failedSessions).toBeGreaterThan(0)
    const status = (await s.request('GET', '/api/v1/domains/example.com/status', { token })).json()
    expect(status.enforceAdvice.ready).toBe(false)
    expect(status.enforceAdvice.reasons.join('\n')).toContain('days have reports')
    const other = await createTenant('nosy')
    expect(
      (await s.request('GET', '/api/v1/domains/example.com/tls-health', { token: other.token }))
        .status,
    ).toBe(404)
  })

  it('when report strings are hostile, then they are stored as data and nothing is fetched', async () => {
    const { token, urls } = await setup()
    let fetched = 0
    const trap = createServer((_req, res) => {
      fetched++
      res.end()
    })
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r))
    const port = (trap.address() as AddressInfo).port
    const base = JSON.parse(rule('base.json').toString('utf8'))
    base['organization-name'] = '<script>alert(1)</script>'
    base.policies[0]['failure-details'][0]['additional-information'] = `http://127.0.0.1:${port}/x`
    const created = await post(urls['example.com']!, Buffer.from(JSON.stringify(base)), JSON_TYPE)
    expect(created.status, created.text).toBe(201)
    const list = await s.request(
      'GET',
      '/api/v1/domains/example.com/tls-reports?from=2026-01-01&to=2026-12-31',
      { token },
    )
    expect(list.headers['content-type']).toMatch(/^application\/json/)
    expect(list.json().reports[0].organization).toBe('<script>alert(1)</script>')
    await new Promise((r) => setTimeout(r, 200))
    expect(fetched).toBe(0)
    trap.close()
  })
})
