import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { processReport } from '../src/adapters/tls-rpt/process.js'
import { receiveReport, storeReport } from '../src/services/tls-rpt/report-intake.js'
import { RateLimiter } from '../src/services/engines/rate-limit.js'
import { startApp, type TestApp } from './helpers/app.js'
import { scalar } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  eventually,
  issueDue,
  MutableClock,
  SERVICE_HOST,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const BASE = JSON.parse(
  readFileSync(new URL('./fixtures/tlsrpt/rules/base.json', import.meta.url), 'utf8'),
)
const JSON_TYPE = 'application/tlsrpt+json'
const GZ_TYPE = 'application/tlsrpt+gzip'
const DAY = 86_400

/**
 * The application (startApp: no socket, report processing in-process) for the tests about what is
 * stored, refused and shown; the real server (setupServer) where the worker pool or the socket's
 * source address is the point.
 */
let s: TestApp | TestServer
afterEach(() => s?.close())

/** A tenant with example.com (policy + TLS-RPT); returns its token and report URL path. */
async function setup(env: Record<string, string> = {}, clock?: MutableClock) {
  s = await startApp({ env, clock })
  return reportingTenant()
}

/** As setup, on the real server (HTTPS listener, worker pool), certificates issued. */
async function setupServer(env: Record<string, string> = {}, clock?: MutableClock) {
  const server = await startServer({ env, clock })
  s = server
  const tenant = await reportingTenant()
  await issueDue(server)
  return { ...tenant, server }
}

async function reportingTenant() {
  const created = await s.request('POST', '/api/v1/tenants', {
    token: ADMIN_TOKEN,
    json: { name: 'reports' },
  })
  if (created.status !== 201) throw new Error(`tenant: ${created.status} ${created.text}`)
  const { token } = created.json() as { token: string }
  await s.request('POST', '/api/v1/domains', { token, json: { name: 'example.com' } })
  await s.request('PUT', '/api/v1/domains/example.com/mta-sts', {
    token,
    json: { mode: 'testing', mx: ['mx1.example.com', '*.mail.example.com'], maxAge: 604800 },
  })
  await s.request('PUT', '/api/v1/domains/example.com/tls-rpt', { token, json: { rua: [] } })
  const recs = (await s.request('GET', '/api/v1/domains/example.com/records', { token })).json()
  const rua = recs.records.find((r: { name: string }) => r.name === '_smtp._tls.example.com')
  const path = new URL(/rua=(https:\/\/\S+)$/.exec(rua.value)![1]!).pathname
  return { token, path, endpointToken: path.split('/').pop()! }
}

/** A reporter's POST to the service host: over HTTPS on the real server. */
const post = (path: string, body: Buffer, type = JSON_TYPE) => {
  const opts = { host: SERVICE_HOST, rawBody: body, headers: { 'content-type': type } }
  return 'httpsPort' in s
    ? s.request('POST', path, { ...opts, https: true })
    : s.request('POST', path, opts)
}
const withId = (id: string, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ ...BASE, 'report-id': id, ...extra }))

/** ~8.4 MB of valid report JSON: 10 policies × 1,000 failure-details with long text. */
function hugeReport(id: string) {
  const policies = Array.from({ length: 10 }, (_, p) => ({
    ...BASE.policies[0],
    summary: { 'total-successful-session-count': 1000, 'total-failure-session-count': 1000 },
    'failure-details': Array.from({ length: 1000 }, (_, d) => ({
      'result-type': d % 2 === 0 ? 'certificate-expired' : 'validation-failure',
      'sending-mta-ip': `192.0.2.${d % 250}`,
      'receiving-mx-hostname': 'mx1.example.com',
      'failed-session-count': 1,
      'additional-information': `https://sender.example/${p}/${d}/${'x'.repeat(700)}`,
    })),
  }))
  return Buffer.from(JSON.stringify({ ...BASE, 'report-id': id, policies }))
}

describe('TLS-RPT storage bounds (issue 9 finding 6)', () => {
  it('when big reports arrive, then a bounded form and a small tally are stored, with sizes recorded', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    // The real server: 8.4 MB reports are processed in a worker within the default heap limit.
    const { token, path } = await setupServer({}, clock)
    const json = hugeReport('huge-0')
    expect(json.byteLength).toBeGreaterThan(8_000_000)
    const gz = gzipSync(json)
    for (let i = 0; i < 3; i++) {
      const res = await post(path, i === 0 ? gz : gzipSync(hugeReport(`huge-${i}`)), GZ_TYPE)
      expect(res.status, res.text).toBe(201)
    }
    // Sizes measured here, not by SQL: PostgreSQL's jsonb has no length() and prints its text
    // with spaces the stored JSON does not have. SQLite gives that text, PostgreSQL the value.
    const jsonLength = (v: unknown) =>
      v === null ? null : (typeof v === 'string' ? v : JSON.stringify(v)).length
    const rows = (
      await s.sql<{ parsed: unknown; raw: Buffer; tally: unknown; stored: number }>(
        'SELECT parsed, raw, tally, stored_bytes AS stored FROM tls_reports',
      )
    ).map((r) => ({
      parsed: jsonLength(r.parsed)!,
      raw: r.raw.byteLength,
      tally: jsonLength(r.tally)!,
      stored: Number(r.stored),
    }))
    expect(rows).toHaveLength(3)
    for (const r of rows) {
      // Before: parsed ≈ 8.5 MB per report (~240× the upload). Now: bounded by the budget.
      expect(r.parsed).toBeLessThanOrEqual(300 * 1024)
      expect(r.raw).toBeLessThanOrEqual(gz.byteLength + 1024)
      // What the health view reads per report stays small whatever the report's size.
      expect(r.tally).toBeLessThanOrEqual(8 * 1024)
      expect(r.stored).toBeGreaterThanOrEqual(r.parsed + r.raw)
    }
    const list = await s.request('GET', '/api/v1/domains/example.com/tls-reports', { token })
    const id = list.json().reports[0].id
    const detail = (
      await s.request('GET', `/api/v1/domains/example.com/tls-reports/${id}`, { token })
    ).json()
    // What is beyond the caps is summed, with an "and N more" marker.
    const kept = detail.parsed.policies.reduce(
      (n: number, p: { failureDetails: unknown[] }) => n + p.failureDetails.length,
      0,
    )
    const omittedRows =
      detail.parsed.policies.reduce(
        (n: number, p: { omittedFailureDetails?: { count: number } }) =>
          n + (p.omittedFailureDetails?.count ?? 0),
        0,
      ) + (detail.parsed.omittedPolicies?.failureDetails ?? 0)
    expect(kept).toBeLessThan(10_000)
    expect(kept + omittedRows).toBe(10_000)

    // The health view still counts every session and failure-detail of every report.
    const health = (
      await s.request('GET', '/api/v1/domains/example.com/tls-health?days=7', { token })
    ).json()
    expect(health.totals.reports).toBe(3)
    expect(health.totals.successfulSessions).toBe(3 * 10 * 1000)
    expect(health.totals.failedSessions).toBe(3 * 10 * 1000)
    expect(health.totals.failuresByResultType).toEqual([
      { resultType: 'certificate-expired', failedSessions: 15_000 },
      { resultType: 'validation-failure', failedSessions: 15_000 },
    ])
    expect(health.totals.topFailingMxHosts).toEqual([
      { name: 'mx1.example.com', failedSessions: 30_000 },
    ])
  })

  it('when a year of big reports is stored, then tls-health reads only small tallies and still counts everything', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { token } = await setup({ TLSRPT_STORED_PARSED_BYTES: '16384' }, clock)
    const deps = s.runtime.deps
    // One 8.4 MB report processed once, stored for each of 366 days under its own id.
    const processed = processReport(hugeReport('year'), JSON_TYPE, {
      maxDecompressed: 10_485_760,
      store: { policies: 100, detailsPerPolicy: 100, parsedBytes: 16_384 },
    })
    if (!processed.ok) throw new Error(processed.reason)
    const domain = (await deps.repos.domains.byName('example.com'))!
    const endpoint = { domainId: domain.id, domain: domain.name, tenantId: domain.tenantId }
    const raw = Buffer.from('{}')
    for (let d = 0; d < 366; d++) {
      const start = new Date(Date.parse('2026-11-05T00:00:00Z') - d * DAY * 1000)
      const report = {
        ...processed.report,
        reportId: `day-${d}`,
        dateRange: { start, end: new Date(start.getTime() + DAY * 1000 - 1000) },
      }
      const parsed = { ...processed, report }
      await storeReport(
        deps,
        endpoint,
        parsed,
        { body: raw, media: JSON_TYPE, source: 'test', now: clock.now() },
        {},
      )
    }
    const from = '2025-11-05'
    const rows = await deps.repos.reports.healthRows(domain.id, from, '2026-11-05')
    expect(rows).toHaveLength(366)
    // Before: the view parsed every stored report (≈ 8.5 MB each, 2.25 s for 40 of them).
    // Now it reads one tally per report, and no parsed form.
    expect(rows.every((r) => r.parsed === null)).toBe(true)
    expect(JSON.stringify(rows.map((r) => r.tally)).length).toBeLessThan(366 * 2048)
    const res = await s.request('GET', '/api/v1/domains/example.com/tls-health?days=366', {
      token,
    })
    expect(res.status).toBe(200)
    const view = res.json()
    expect(view.totals.reports).toBe(366)
    expect(view.totals.successfulSessions).toBe(366 * 10_000)
    expect(view.totals.failedSessions).toBe(366 * 10_000)
  })

  it('when tls-health reads a quota-filled year of tallies, then the policy is served meanwhile (the view runs in a worker)', async () => {
    const { token, server } = await setupServer({
      WORKER_JOB_TIMEOUT_MS: '120000',
      WORKER_MAX_OLD_MB: '1024',
    })
    const domain = (await server.runtime.deps.repos.domains.byName('example.com'))!
    const tally = JSON.stringify({
      successful: 10,
      failed: 1,
      policies: [['', 11]],
      mxSuccess: [['mx1.example.com', 10]],
      byType: [['certificate-expired', 1]],
      byMx: [['mx1.example.com', 1]],
      byIp: [['192.0.2.1', 1]],
    })
    // 100,000 stored reports over the year, written straight into the store (intake would take
    // minutes): what a public report URL lets anyone accumulate within the daily quotas.
    const now = Date.now()
    // In batches of many rows per INSERT, through whichever store the server has.
    const BATCH = 1000
    const row = "(?, ?, 'Sender Inc.', ?, ?, ?, ?, 10, 1, '{}', '[]', ?, 'test', ?, ?)"
    for (let first = 0; first < 100_000; first += BATCH) {
      const params: unknown[] = []
      for (let i = first; i < first + BATCH; i++) {
        const start = now - (i % 360) * DAY * 1000
        const day = new Date(start).toISOString().slice(0, 10)
        const raw = Buffer.from([0])
        params.push(`r${i}`, domain.id, `rid-${i}`, start, start + 1000, day, raw, now, tally)
      }
      await server.sql(
        `INSERT INTO tls_reports (id, domain_id, organization, report_id, start_at, end_at, day,
           successful, failed, parsed, warnings, raw, source, received_at, tally)
         VALUES ${Array(BATCH).fill(row).join(', ')}`,
        ...params,
      )
    }
    let health: TestResponse | undefined
    const pending = server
      .request('GET', '/api/v1/domains/example.com/tls-health?days=366', { token })
      .then((r) => (health = r))
    // Before: the rows were read and summed on the serving loop, so no job ever ran here.
    expect(
      await eventually(async () => (server.runtime.workers?.stats().running ?? 0) > 0, 10_000),
    ).toBe(true)

    const policy = await server.request('GET', '/.well-known/mta-sts.txt', {
      host: 'mta-sts.example.com',
      https: true,
    })

    expect(policy.status).toBe(200)
    expect(health).toBeUndefined()
    const view = (await pending).json()
    expect(view.totals.reports).toBe(100_000)
    expect(view.totals.failedSessions).toBe(100_000)
  }, 120_000)

  it('when a domain reaches its daily report or byte quota, then 429 or 413 naming the limit, and the next day is open', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { path } = await setup(
      { TLSRPT_REPORTS_PER_DOMAIN_DAY: '2', TLSRPT_BYTES_PER_DOMAIN_DAY: '1000000' },
      clock,
    )
    expect((await post(path, withId('q-1'))).status).toBe(201)
    expect((await post(path, withId('q-2'))).status).toBe(201)
    const over = await post(path, withId('q-3'))
    expect(over.status).toBe(429)
    expect(over.text).toContain('TLSRPT_REPORTS_PER_DOMAIN_DAY')
    // The quota opens again at 00:00 UTC: 12 hours from the clock's noon.
    expect(over.headers['retry-after']).toBe(String(12 * 3600))
    expect(over.json().detail).toContain('2')
    clock.advance(DAY)
    expect((await post(path, withId('q-3'))).status).toBe(201)
    const stored = Number(await scalar(s, 'SELECT count(*) AS n FROM tls_reports'))
    expect(stored).toBe(3)
  })

  it('when a domain reaches its daily byte quota, then 413 naming the limit and nothing stored', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { path } = await setup({ TLSRPT_BYTES_PER_DOMAIN_DAY: '6000' }, clock)
    const statuses: number[] = []
    let last = ''
    for (let i = 0; i < 6; i++) {
      const res = await post(path, withId(`b-${i}`))
      statuses.push(res.status)
      if (res.status !== 201) last = res.text
    }
    expect(statuses[0]).toBe(201)
    expect(statuses).toContain(413)
    expect(last).toContain('TLSRPT_BYTES_PER_DOMAIN_DAY')
    const used = Number(await scalar(s, 'SELECT sum(stored_bytes) AS n FROM tls_reports'))
    expect(used).toBeLessThanOrEqual(6000)
  })
})

describe('TLS-RPT intake order (issue 9 finding 7)', () => {
  it('when many sources send refused bodies, then a valid report from a new source is still accepted', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { endpointToken } = await setup({}, clock)
    const limits = {
      maxDecompressed: 10_485_760,
      perSource: new RateLimiter(120),
      perTenant: new RateLimiter(1_200),
    }
    const statuses = new Map<string, number>()
    for (let src = 0; src < 10; src++) {
      for (let i = 0; i < 121; i++) {
        const status = await receiveReport(s.runtime.deps, limits, {
          token: endpointToken,
          contentType: 'text/plain',
          body: withId(`junk-${src}-${i}`),
          source: `https:198.51.100.${src}`,
        }).then(
          () => 201,
          (e: { code: string }) => (e.code === 'RATE_LIMITED' ? 429 : 415),
        )
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1)
      }
    }
    // Each source is stopped by its own limit; the tenant's budget is untouched.
    expect(Object.fromEntries(statuses)).toEqual({ '415': 1200, '429': 10 })
    const ok = await receiveReport(s.runtime.deps, limits, {
      token: endpointToken,
      contentType: JSON_TYPE,
      body: withId('valid-1'),
      source: 'https:203.0.113.7',
    })
    expect(ok.id).not.toBeNull()
  })

  it('when one IPv6 /64 sends from many addresses, then they share one source limit', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { endpointToken } = await setup({}, clock)
    const limits = {
      maxDecompressed: 10_485_760,
      perSource: new RateLimiter(3),
      perTenant: new RateLimiter(1_200),
    }
    const codes: string[] = []
    for (let i = 1; i <= 5; i++) {
      codes.push(
        await receiveReport(s.runtime.deps, limits, {
          token: endpointToken,
          contentType: JSON_TYPE,
          body: withId(`v6-${i}`),
          source: `https:2001:db8:1:2::${i.toString(16)}`,
        }).then(
          () => 'stored',
          (e: { code: string }) => e.code,
        ),
      )
    }
    expect(codes).toEqual(['stored', 'stored', 'stored', 'RATE_LIMITED', 'RATE_LIMITED'])
  })

  it('when a source is over its limit, then it gets 429 before the report URL is even looked up', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    // The source is the socket's peer address: the real server.
    await setupServer({ TLSRPT_RATE_PER_SOURCE: '2' }, clock)
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await post('/tlsrpt/no-such-token', withId('x')))
    expect(answers.map((r) => r.status)).toEqual([404, 404, 429, 429])
    expect(answers[3]!.headers['retry-after']).toBe('60')
  })
})

describe('TLS-RPT validation (issue 9 finding 12)', () => {
  it('when session counts sum past 2^53 or dates leave the sane window, then 400 naming the field, nothing stored', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { path } = await setup({}, clock)
    const big = Number.MAX_SAFE_INTEGER
    const policy = (ok: number, failed: number) => ({
      ...BASE.policies[0],
      summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failed },
    })
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['per-policy', { policies: [policy(big, 1)] }, 'policies.0.summary'],
      ['per-report', { policies: [policy(big - 10, 0), policy(big - 10, 0)] }, 'policies'],
      [
        'year 1',
        {
          'date-range': {
            'start-datetime': '0001-01-01T00:00:00Z',
            'end-datetime': '0001-01-01T23:59:59Z',
          },
        },
        'date-range.start-datetime',
      ],
      [
        'year 9999',
        {
          'date-range': {
            'start-datetime': '9999-12-31T00:00:00Z',
            'end-datetime': '9999-12-31T23:59:59Z',
          },
        },
        'date-range.start-datetime',
      ],
    ]
    for (const [name, extra, field] of cases) {
      const res = await post(path, withId(`bad-${name}`, extra))
      expect(res.status, `${name}: ${res.text}`).toBe(400)
      expect(
        res.json().errors.map((e: { path: string }) => e.path),
        name,
      ).toContain(field)
    }
    const stored = Number(await scalar(s, 'SELECT count(*) AS n FROM tls_reports'))
    expect(stored).toBe(0)
  })

  it('when a query parameter is malformed, then 400 naming it', async () => {
    const { token } = await setup()
    const cases: Array<[string, string]> = [
      ['/api/v1/domains/example.com/tls-reports?from=2026-13-45', 'from'],
      ['/api/v1/domains/example.com/tls-reports?to=2026-02-30', 'to'],
      ['/api/v1/domains/example.com/tls-reports?limit=0', 'limit'],
      ['/api/v1/domains/example.com/tls-reports?cursor=!!', 'cursor'],
      ['/api/v1/domains/example.com/tls-health?days=abc', 'days'],
      ['/api/v1/domains/example.com/tls-health?days=367', 'days'],
    ]
    for (const [url, param] of cases) {
      const res = await s.request('GET', url, { token })
      expect(res.status, url).toBe(400)
      expect(res.json().errors[0].path, url).toBe(param)
    }
  })
})

describe('TLS report list (issue 9 build point 3)', () => {
  it('when reports are listed with a limit, then the cursor walks every page once, newest first', async () => {
    const clock = new MutableClock(new Date('2026-11-05T12:00:00Z'))
    const { token, path } = await setup({}, clock)
    for (let d = 1; d <= 5; d++) {
      const day = `2026-11-0${d}`
      const range = { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` }
      expect((await post(path, withId(`p-${d}`, { 'date-range': range }))).status).toBe(201)
    }
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const res = await s.request(
        'GET',
        `/api/v1/domains/example.com/tls-reports?from=2026-11-01&limit=2${q}`,
        { token },
      )
      expect(res.status, res.text).toBe(200)
      seen.push(...res.json().reports.map((r: { reportId: string }) => r.reportId))
      cursor = res.json().nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toEqual(['p-5', 'p-4', 'p-3', 'p-2', 'p-1'])
  })
})
