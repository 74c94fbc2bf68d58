import { beforeAll, describe, expect, it } from 'vitest'
import { checkMetrics, ensurePromtool, type PromtoolFound } from '../../../test/helpers/promtool.js'
import { createMetrics, type CertificateSnapshot, type PolicyhostMetrics } from './registry.js'

const NOW = Date.parse('2026-12-01T00:00:00Z')
const DAY = 86_400_000

/** The value of the one series of `name` whose labels are exactly `labels`, or undefined. */
async function value(
  m: PolicyhostMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = m.registry.getSingleMetric(name)
  if (metric === undefined) throw new Error(`no metric ${name}`)
  const { values } = await metric.get()
  const want = JSON.stringify(Object.entries(labels).sort())
  const found = values.filter((v) => JSON.stringify(Object.entries(v.labels).sort()) === want)
  return found.length === 1 ? found[0]!.value : undefined
}

async function labelNames(m: PolicyhostMetrics, name: string): Promise<string[]> {
  const { values } = await m.registry.getSingleMetric(name)!.get()
  return [...new Set(values.flatMap((v) => Object.keys(v.labels)))].sort()
}

function cert(hostname: string, status: CertificateSnapshot['status'], notAfterMs: number | null) {
  return { hostname, status, notAfter: notAfterMs === null ? null : new Date(notAfterMs) }
}

/** Records something in every metric, so a scrape shows each family with samples. */
function populate(m: PolicyhostMetrics): void {
  m.countHttpRequest('policy', 200, 'example.com')
  m.countHttpRequest('evil\n"host', 503, 'example.com')
  m.observePolicyFetch(0.0003)
  m.countSniCache(true)
  m.countSniCache(false)
  m.countAcmeOrder('ok')
  m.countAcmeOrder('failed')
  m.countTlsRptReport({
    domain: 'example.com',
    failures: [
      { resultType: 'validation-failure', sessions: 3 },
      { resultType: 'junk"} 1\nfake_metric 9', sessions: 2 },
    ],
  })
  m.countCheck('dns', 'warning', 'example.com')
  m.countAlertDelivery('mail', 'failed')
  m.setCertificateSource(() => [
    cert('mta-sts.example.com', 'ok', NOW + 30 * DAY),
    cert('mta-sts.example.org', 'failed', NOW - DAY),
    cert('mta-sts.example.net', 'pending', null),
  ])
}

describe('createMetrics', () => {
  it('when events are recorded, then the scrape shows them under fixed label values', async () => {
    const m = createMetrics({ perDomain: false, checkKinds: ['dns', 'policy'], now: () => NOW })
    populate(m)
    m.countCheck('made-up-kind', 'ok')

    expect(
      await value(m, 'policyhost_http_requests_total', { host_class: 'policy', status: '2xx' }),
    ).toBe(1)
    expect(
      await value(m, 'policyhost_http_requests_total', { host_class: 'other', status: '5xx' }),
    ).toBe(1)
    expect(
      await value(m, 'policyhost_http_requests_total', { host_class: 'logo', status: '4xx' }),
    ).toBe(0)
    expect(await value(m, 'policyhost_sni_cache_hits_total')).toBe(1)
    expect(await value(m, 'policyhost_sni_cache_misses_total')).toBe(1)
    expect(await value(m, 'policyhost_acme_orders_total', { result: 'failed' })).toBe(1)
    expect(await value(m, 'policyhost_tlsrpt_reports_total')).toBe(1)
    const failed = (t: string) =>
      value(m, 'policyhost_tlsrpt_failed_sessions_total', { result_type: t })
    expect(await failed('validation-failure')).toBe(3)
    expect(await failed('other')).toBe(2)
    expect(await value(m, 'policyhost_checks_total', { kind: 'dns', result: 'warning' })).toBe(1)
    expect(await value(m, 'policyhost_checks_total', { kind: 'other', result: 'ok' })).toBe(1)
    expect(
      await value(m, 'policyhost_alert_deliveries_total', { channel: 'mail', result: 'failed' }),
    ).toBe(1)
    expect(
      await value(m, 'policyhost_alert_deliveries_total', { channel: 'webhook', result: 'ok' }),
    ).toBe(0)

    const text = await m.registry.metrics()
    expect(text).toContain('policyhost_policy_fetch_duration_seconds_bucket{le="0.0005"} 1')
    expect(text).toContain('policyhost_policy_fetch_duration_seconds_bucket{le="0.00025"} 0')
    expect(text).toContain('policyhost_process_cpu_seconds_total')
    expect(text).not.toContain('evil')
    expect(text).not.toContain('junk')
    expect(text).not.toContain('fake_metric')
  })

  it('when perDomain is off, then no series has a domain or hostname label and certificates are counted by state', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false, now: () => NOW })
    populate(m)

    for (const name of [
      'policyhost_http_requests_total',
      'policyhost_tlsrpt_reports_total',
      'policyhost_tlsrpt_failed_sessions_total',
      'policyhost_checks_total',
    ]) {
      expect(await labelNames(m, name)).not.toContain('domain')
    }
    const text = await m.registry.metrics()
    expect(text).not.toContain('example.com')
    expect(text).not.toContain('certificate_expiration_timestamp_seconds')
    expect(await value(m, 'policyhost_certificates', { state: 'ok' })).toBe(1)
    expect(await value(m, 'policyhost_certificates', { state: 'expired' })).toBe(1)
    expect(await value(m, 'policyhost_certificates', { state: 'pending' })).toBe(1)
    expect(await value(m, 'policyhost_certificates', { state: 'failed' })).toBe(0)
    expect(await value(m, 'policyhost_certificate_expiry_min_seconds')).toBe((NOW - DAY) / 1000)
  })

  it('when perDomain is on, then requests, reports and checks carry the domain and each host its expiry', async () => {
    const m = createMetrics({ perDomain: true, defaultMetrics: false, checkKinds: ['dns'] })
    populate(m)

    const labels = { host_class: 'policy', status: '2xx', domain: 'example.com' }
    expect(await value(m, 'policyhost_http_requests_total', labels)).toBe(1)
    expect(await value(m, 'policyhost_tlsrpt_reports_total', { domain: 'example.com' })).toBe(1)
    const dns = { kind: 'dns', result: 'warning', domain: 'example.com' }
    expect(await value(m, 'policyhost_checks_total', dns)).toBe(1)
    const expiry = (hostname: string) =>
      value(m, 'certificate_expiration_timestamp_seconds', { hostname })
    expect(await expiry('mta-sts.example.com')).toBe((NOW + 30 * DAY) / 1000)
    expect(await expiry('mta-sts.example.org')).toBe((NOW - DAY) / 1000)
    expect(await expiry('mta-sts.example.net')).toBeUndefined()
    expect(m.registry.getSingleMetric('policyhost_certificates')).toBeUndefined()
  })

  it('when a host is removed from the source, then the next scrape no longer shows it', async () => {
    const m = createMetrics({ perDomain: true, defaultMetrics: false })
    let hosts = [cert('mta-sts.a.example', 'ok', NOW), cert('mta-sts.b.example', 'ok', NOW + DAY)]
    m.setCertificateSource(() => hosts)
    expect(await m.registry.metrics()).toContain('hostname="mta-sts.a.example"')

    hosts = hosts.filter((h) => h.hostname !== 'mta-sts.a.example')
    const text = await m.registry.metrics()

    expect(text).not.toContain('mta-sts.a.example')
    expect(text).toContain('hostname="mta-sts.b.example"')
  })

  it('when one scrape reads both certificate gauges, then the store is read once, and again next scrape', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false, now: () => NOW })
    let reads = 0
    m.setCertificateSource(async () => (reads++, [cert('mta-sts.a.example', 'ok', NOW + DAY)]))

    const text = await m.registry.metrics()
    await m.registry.metrics()

    expect(text).toContain('policyhost_certificates{state="ok"} 1')
    expect(text).toContain(`policyhost_certificate_expiry_min_seconds ${(NOW + DAY) / 1000}`)
    expect(reads).toBe(2)
  })

  it('when the last certificate goes away, then the soonest-expiry gauge has no sample rather than 0', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false, now: () => NOW })
    let hosts = [cert('mta-sts.a.example', 'ok', NOW + DAY)]
    m.setCertificateSource(async () => hosts)
    expect(await value(m, 'policyhost_certificate_expiry_min_seconds')).toBe((NOW + DAY) / 1000)

    hosts = []

    expect(await value(m, 'policyhost_certificate_expiry_min_seconds')).toBeUndefined()
    expect(await value(m, 'policyhost_certificates', { state: 'ok' })).toBe(0)
  })

  it('when a domain is forgotten, then its per-domain series go and other domains stay', async () => {
    const m = createMetrics({ perDomain: true, defaultMetrics: false })
    m.countHttpRequest('policy', 200, 'gone.example')
    m.countTlsRptReport({ domain: 'GONE.example', failures: [{ resultType: 'x', sessions: 1 }] })
    m.countHttpRequest('policy', 200, 'kept.example')

    await m.forgetDomain('gone.example')

    const text = await m.registry.metrics()
    expect(text).not.toContain('gone.example')
    expect(text).toContain('domain="kept.example"')
  })

  it('when a report carries negative or non-finite session counts, then they are ignored, not thrown', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false })
    m.countTlsRptReport({
      failures: [
        { resultType: 'validation-failure', sessions: -5 },
        { resultType: 'validation-failure', sessions: Number.POSITIVE_INFINITY },
        { resultType: 'validation-failure', sessions: Number.NaN },
        { resultType: 'validation-failure', sessions: 1 },
      ],
    })
    const labels = { result_type: 'validation-failure' }
    expect(await value(m, 'policyhost_tlsrpt_failed_sessions_total', labels)).toBe(1)
    expect(await value(m, 'policyhost_tlsrpt_reports_total')).toBe(1)
  })

  it('when two registries exist, then they do not share series', async () => {
    const a = createMetrics({ perDomain: false })
    const b = createMetrics({ perDomain: false })
    a.countSniCache(true)
    expect(await value(a, 'policyhost_sni_cache_hits_total')).toBe(1)
    expect(await value(b, 'policyhost_sni_cache_hits_total')).toBe(0)
  })
})

describe('promtool check metrics', () => {
  let promtool: PromtoolFound = { ok: false, reason: 'not looked for yet' }
  // Installing the Debian package can take minutes on a cold package cache.
  beforeAll(async () => {
    promtool = await ensurePromtool()
  }, 600_000)

  it.for([false, true])(
    'when every metric is populated (perDomain %s), then promtool accepts the output',
    async (perDomain, ctx) => {
      if (!promtool.ok) return ctx.skip(`promtool unavailable: ${promtool.reason}`)
      const m = createMetrics({ perDomain, checkKinds: ['dns', 'policy'], now: () => NOW })
      populate(m)
      const text = await m.registry.metrics()
      // Sanity: the text really has every family, so promtool sees each one.
      for (const family of ['http_requests_total', 'checks_total', 'alert_deliveries_total']) {
        expect(text).toContain(`policyhost_${family}{`)
      }

      const result = await checkMetrics(promtool.path, text)

      expect(result.output).toBe('')
      expect(result.code).toBe(0)
    },
  )
})
