/**
 * `/metrics` on the real server (issue 13): counters move by exactly what was asked of the
 * server, the text passes Prometheus' own linter, and without METRICS_PORT nothing listens.
 */
import { readFileSync, rmSync } from 'node:fs'
import { get } from 'node:http'
import { createServer, type Server } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { noMetrics } from '../src/core/metrics.js'
import { openRuntime, serve } from '../src/main.js'
import { checkMetrics, ensurePromtool, type PromtoolFound } from './helpers/promtool.js'
import { scalar } from './helpers/server-store.js'
import {
  baseEnv,
  createTenant,
  domainWithPolicy,
  fetchPolicy,
  newDataDir,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'

const DOMAIN = 'example.com'
const POLICY_HOST = `mta-sts.${DOMAIN}`
// A real report for example.com with 3 failed sessions, all validation-failure.
const REPORT = readFileSync(
  new URL('./fixtures/tlsrpt/realworld/parsedmarc-sample-validation-failure.json', import.meta.url),
)

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function started(env: Record<string, string>): Promise<TestServer> {
  const s = await startServer({ env })
  cleanups.push(() => s.close())
  return s
}

/** The `/metrics` port, as the `listening` log line gives it (METRICS_PORT=0 picks one). */
function metricsPort(s: TestServer): number | undefined {
  return s.logged('listening')[0]?.metrics as number | undefined
}

function scrape(port: number): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text }),
      )
    }).on('error', reject)
  })
}

/** Every sample of the exposition text, keyed `name{label="value",…}` with labels sorted. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort()
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]))
  }
  return out
}

/** How much each sample moved between two scrapes (new samples count from 0). */
function moved(before: Map<string, number>, after: Map<string, number>, key: string): number {
  const a = after.get(key)
  if (a === undefined) throw new Error(`no sample ${key}`)
  return a - (before.get(key) ?? 0)
}

const http = (hostClass: string, status: string) =>
  `policyhost_http_requests_total{host_class="${hostClass}",status="${status}"}`

/** example.com with a policy and TLS-RPT on, certificates issued; returns the report path. */
async function hosted(s: TestServer): Promise<{ token: string; reportPath: string }> {
  const { token } = await createTenant(s, 'alpha')
  await domainWithPolicy(s, token, DOMAIN, {
    mode: 'testing',
    mx: ['mx.example.com'],
    maxAge: 86400,
  })
  const set = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
    token,
    json: { rua: [] },
  })
  if (set.status !== 200) throw new Error(`tls-rpt: ${set.status} ${set.text}`)
  const reportPath = new URL(set.json().reportUrl as string).pathname
  return { token, reportPath }
}

describe('/metrics on the running server (issue 13)', () => {
  let promtool: PromtoolFound = { ok: false, reason: 'not looked for yet' }
  // Installing the Debian package can take minutes on a cold package cache.
  beforeAll(async () => {
    promtool = await ensurePromtool()
  }, 600_000)

  it('when policies, API calls, a 404 and a report are answered, then the counters move by exactly those and promtool accepts the text', async (ctx) => {
    const s = await started({ METRICS_PORT: '0' })
    const port = metricsPort(s)
    expect(port).toBeGreaterThan(0)
    const { token, reportPath } = await hosted(s)
    await fetchPolicy(s, POLICY_HOST) // certificates issued; its handshake warms the SNI cache
    const before = samples((await scrape(port!)).text)

    expect((await fetchPolicy(s, POLICY_HOST)).status).toBe(200)
    expect((await fetchPolicy(s, POLICY_HOST, 'HEAD')).status).toBe(200)
    const miss = { host: POLICY_HOST, https: true }
    expect((await s.request('GET', '/nothing-here', miss)).status).toBe(404)
    expect((await s.request('GET', '/api/v1/domains', { token })).status).toBe(200)
    expect((await s.request('GET', '/', { host: 'stranger.example' })).status).toBe(404)
    const report = await s.request('POST', reportPath, {
      host: SERVICE_HOST,
      https: true,
      rawBody: REPORT,
      headers: { 'content-type': 'application/tlsrpt+json' },
    })
    expect(report.status, report.text).toBe(201)
    const res = await scrape(port!)
    const after = samples(res.text)

    expect(res.status).toBe(200)
    expect(res.type).toContain('text/plain')
    expect(moved(before, after, http('policy', '2xx'))).toBe(2)
    expect(moved(before, after, http('policy', '4xx'))).toBe(1)
    expect(moved(before, after, http('service', '2xx'))).toBe(1)
    expect(moved(before, after, http('other', '4xx'))).toBe(1)
    expect(moved(before, after, http('report', '2xx'))).toBe(1)
    expect(moved(before, after, http('logo', '2xx'))).toBe(0)
    expect(moved(before, after, 'policyhost_policy_fetch_duration_seconds_count{}')).toBe(2)
    expect(moved(before, after, 'policyhost_tlsrpt_reports_total{}')).toBe(1)
    const failed = 'policyhost_tlsrpt_failed_sessions_total{result_type="validation-failure"}'
    expect(moved(before, after, failed)).toBe(3)
    // Four handshakes: the policy host's context is cached, the service host's is built once.
    expect(moved(before, after, 'policyhost_sni_cache_hits_total{}')).toBe(3)
    expect(moved(before, after, 'policyhost_sni_cache_misses_total{}')).toBe(1)
    // The local CA places no ACME order.
    expect(after.get('policyhost_acme_orders_total{result="ok"}')).toBe(0)
    const issued = Number(
      await scalar(s, `SELECT count(*) AS n FROM certificates WHERE status = 'ok'`),
    )
    expect(issued).toBeGreaterThanOrEqual(2)
    expect(after.get('policyhost_certificates{state="ok"}')).toBe(issued)

    if (!promtool.ok) return ctx.skip(`promtool unavailable: ${promtool.reason}`)
    const lint = await checkMetrics(promtool.path, res.text)
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('when METRICS_PER_DOMAIN is on, then a policy fetch is counted under its domain and each certificate has its expiry', async () => {
    const s = await started({ METRICS_PORT: '0', METRICS_PER_DOMAIN: 'true' })
    await hosted(s)

    expect((await fetchPolicy(s, POLICY_HOST)).status).toBe(200)
    const after = samples((await scrape(metricsPort(s)!)).text)

    const key = `policyhost_http_requests_total{domain="${DOMAIN}",host_class="policy",status="2xx"}`
    expect(after.get(key)).toBe(1)
    const expiry = after.get(`certificate_expiration_timestamp_seconds{hostname="${POLICY_HOST}"}`)
    expect(expiry).toBeGreaterThan(Date.now() / 1000)
  })

  it('when METRICS_PORT is unset, then nothing is counted and no metrics listener starts', async () => {
    const dataDir = newDataDir()
    const logs: string[] = []
    const rt = await openRuntime(loadConfig(baseEnv(dataDir)), { logSink: (l) => logs.push(l) })
    const running = await serve(rt)
    cleanups.push(async () => {
      await running.close()
      rmSync(dataDir, { recursive: true, force: true })
    })

    expect(running.metricsPort).toBeNull()
    expect(rt.metrics).toBeNull()
    expect(rt.deps.metrics).toBe(noMetrics)
    const listening = logs.map((l) => JSON.parse(l)).filter((e) => e.msg === 'listening')
    expect(listening).toHaveLength(1)
    expect(listening[0]).not.toHaveProperty('metrics')
  })

  it('when METRICS_PORT is taken, then start-up fails naming METRICS_PORT', async () => {
    const taken: Server = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => taken.close(() => r())))
    const port = (taken.address() as { port: number }).port
    const dataDir = newDataDir()
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }))
    const rt = await openRuntime(loadConfig({ ...baseEnv(dataDir), METRICS_PORT: String(port) }), {
      logSink: () => {},
    })

    await expect(serve(rt)).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port} (METRICS_PORT): address in use`,
    )
  })
})
