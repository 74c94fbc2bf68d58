/**
 * The TLS reports pages over the app (issue 14): a report delivered through the real intake URL
 * shows in the chart's numbers, the lists and its detail page; another tenant gets 404; a
 * reporter's script-bearing strings are shown as escaped text on both pages.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { detail, policy, report, type Json } from './fixtures/tlsrpt/report-builders.js'
import { startApp, type TestApp } from './helpers/app.js'
import { signedIn } from './helpers/dashboard.js'
import {
  createTenant,
  domainWithPolicy,
  MutableClock,
  SERVICE_HOST,
} from './helpers/test-server.js'

const MICROSOFT = readFileSync(
  new URL('./fixtures/tlsrpt/realworld/microsoft-2023-01-10.json', import.meta.url),
)
const XSS_SCRIPT = '<script>window.__xss=1</script>'
const XSS_ATTR = '"><img src=x onerror=window.__xss=2>'

let s: TestApp
afterEach(async () => s?.close())

/** A tenant with `domain` in testing and TLS-RPT on; returns its token and report URL path. */
async function reportingDomain(domain: string, mx: string) {
  const { token } = await createTenant(s, `t-${domain}`)
  await domainWithPolicy(s, token, domain, { mode: 'testing', mx: [mx], maxAge: 86400 })
  const on = await s.request('PUT', `/api/v1/domains/${domain}/tls-rpt`, {
    token,
    json: { rua: [] },
  })
  expect(on.status).toBe(200)
  const recs = (await s.request('GET', `/api/v1/domains/${domain}/records`, { token })).json()
  const rua = recs.records.find((r: { name: string }) => r.name === `_smtp._tls.${domain}`).value
  return { token, path: new URL(/rua=(https:\/\/\S+)$/.exec(rua)![1]!).pathname }
}

/** A reporter's POST to the intake URL (RFC 8460 §5.4). */
async function deliver(path: string, body: Buffer | Json) {
  const res = await s.request('POST', path, {
    host: SERVICE_HOST,
    headers: { 'content-type': 'application/tlsrpt+json' },
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
  })
  expect(res.status, res.text).toBe(201)
}

/** The detail page links of a reports page, in order. */
const detailLinks = (html: string, domain: string) =>
  [...html.matchAll(new RegExp(`href="(/domains/${domain}/reports/[^"?]+)"`, 'g'))].map(
    (m) => m[1]!,
  )

describe('TLS reports pages (issue 14)', () => {
  it('when a real report is delivered to the intake URL, then its sessions are in the chart, the list and its detail', async () => {
    s = await startApp({ clock: new MutableClock(new Date('2023-01-12T08:00:00Z')) })
    const { token, path } = await reportingDomain('test.xmox.nl', 'komijn.test.xmox.nl')
    await deliver(path, MICROSOFT)
    const { get } = await signedIn(s, token)

    const page = await get('/domains/test.xmox.nl/reports?days=7')
    const links = detailLinks(page.text, 'test.xmox.nl')
    const one = await get(links[0]!)

    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.text).toContain('<h1>TLS reports for test.xmox.nl</h1>')
    // The chart's summary and its table carry the report's 2 successful sessions on its day.
    expect(page.text).toMatch(/<svg class="chart"[^>]*role="img"[^>]*aria-labelledby=/)
    expect(page.text).toContain('From 2023-01-06 to 2023-01-12: 2 sessions successful and 0')
    expect(page.text).toContain('<th scope="row">2023-01-10</th><td>1</td><td>2</td><td>0</td>')
    expect(page.text).toContain('<li>Microsoft Corporation</li>')
    // Testing policy: the enforce advice, not ready after one day of reports.
    expect(page.text).toContain('Ready for enforce?')
    expect(page.text).toContain('1 of 30 days have reports; 14 needed')
    expect(links).toHaveLength(1)
    expect(one.status).toBe(200)
    expect(one.text).toContain('<h1>TLS report from Microsoft Corporation</h1>')
    expect(one.text).toContain('133198585438131172+test.xmox.nl')
    expect(one.text).toContain('2023-01-10T00:00:00Z to 2023-01-10T23:59:59Z')
    expect(one.text).toContain('Policy 1: sts for test.xmox.nl')
    // The raw JSON, pretty-printed (it parses) and escaped.
    expect(one.text).toContain(
      '  &quot;organization-name&quot;: &quot;Microsoft Corporation&quot;,',
    )
  })

  it('when a day is out of the window or the days are not offered, then the chart has none of it or the page refuses', async () => {
    s = await startApp({ clock: new MutableClock(new Date('2023-01-20T08:00:00Z')) })
    const { token, path } = await reportingDomain('test.xmox.nl', 'komijn.test.xmox.nl')
    await deliver(path, MICROSOFT)
    const { get } = await signedIn(s, token)

    const week = await get('/domains/test.xmox.nl/reports?days=7')
    const month = await get('/domains/test.xmox.nl/reports?days=30')
    const bad = await get('/domains/test.xmox.nl/reports?days=5')

    expect(week.text).toContain('0 reports on 0 days:')
    expect(detailLinks(week.text, 'test.xmox.nl')).toHaveLength(0)
    expect(month.text).toContain('1 report on 1 day: 2 successful and 0 failed sessions')
    expect(detailLinks(month.text, 'test.xmox.nl')).toHaveLength(1)
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('must be 7, 30 or 90')
  })

  it("when another tenant asks for a domain's reports or one of its reports, then both are 404", async () => {
    s = await startApp({ clock: new MutableClock(new Date('2023-01-12T08:00:00Z')) })
    const { token, path } = await reportingDomain('test.xmox.nl', 'komijn.test.xmox.nl')
    await deliver(path, MICROSOFT)
    const owner = await signedIn(s, token)
    const link = detailLinks(
      (await owner.get('/domains/test.xmox.nl/reports')).text,
      'test.xmox.nl',
    )[0]!
    const other = await signedIn(s, (await createTenant(s, 'other')).token)

    const list = await other.get('/domains/test.xmox.nl/reports')
    const one = await other.get(link)

    expect(list.status).toBe(404)
    expect(one.status).toBe(404)
    expect(list.text + one.text).not.toContain('Microsoft Corporation')
    expect((await owner.get(link)).status).toBe(200)
  })

  it('when a report carries script in its reporter, result types and MX host, then both pages show it as text', async () => {
    s = await startApp({ clock: new MutableClock(new Date('2023-01-12T08:00:00Z')) })
    const { token, path } = await reportingDomain('company-y.example', '*.mail.company-y.example')
    const failures = [
      detail({ 'result-type': XSS_SCRIPT, 'receiving-mx-hostname': XSS_ATTR }),
      detail({ 'result-type': XSS_ATTR, 'receiving-mx-hostname': XSS_SCRIPT }),
    ]
    await deliver(
      path,
      report({
        'organization-name': `${XSS_SCRIPT}${XSS_ATTR}`,
        'date-range': {
          'start-datetime': '2023-01-11T00:00:00Z',
          'end-datetime': '2023-01-11T23:59:59Z',
        },
        policies: [policy({}, { 'failure-details': failures })],
      }),
    )
    const { get } = await signedIn(s, token)

    const page = await get('/domains/company-y.example/reports')
    const one = await get(detailLinks(page.text, 'company-y.example')[0]!)

    for (const r of [page, one]) {
      expect(r.status).toBe(200)
      expect(r.text).not.toContain('<script>window')
      expect(r.text).not.toContain('<img src=x')
      expect(r.text).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;')
      expect(r.text).toContain('&quot;&gt;&lt;img src=x onerror=window.__xss=2&gt;')
    }
    // Result types and MX hosts in the health tables, the reporter in the list and the title.
    expect(page.text).toContain('<th scope="row">&lt;script&gt;window.__xss=1&lt;/script&gt;</th>')
    expect(page.text).toContain(
      '<th scope="row">&quot;&gt;&lt;img src=x onerror=window.__xss=2&gt;</th><td>100</td>',
    )
    expect(one.text).toContain('<h1>TLS report from &lt;script&gt;window.__xss=1&lt;/script&gt;')
  })
})
