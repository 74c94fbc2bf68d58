/**
 * Issue 14, the TLS reports pages in chromium: a report delivered to the real intake URL over
 * HTTPS (from node, as a reporter would), then the reports page and the report's page opened
 * signed in — axe, screenshots, and the reporter's script-bearing text visible but never run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detail, policy, report } from '../fixtures/tlsrpt/report-builders.js'
import { createTenant, domainWithPolicy, SERVICE_HOST } from '../helpers/test-server.js'
import {
  checkA11y,
  SKIP_BROWSER,
  SKIP_NOTE,
  screenshot,
  signIn,
  startBrowserWorld,
  type BrowserWorld,
} from './harness.js'

const XSS_SCRIPT = '<script>window.__xss=1</script>'
const XSS_ATTR = '"><img src=x onerror=window.__xss=2>'
const DOMAIN = 'company-y.example'

describe.skipIf(SKIP_BROWSER)(`the TLS reports pages in chromium${SKIP_NOTE}`, () => {
  let world: BrowserWorld
  let token: string

  beforeAll(async () => {
    world = await startBrowserWorld()
    const s = world.server
    token = (await createTenant(s, 'reports')).token
    await domainWithPolicy(s, token, DOMAIN, {
      mode: 'testing',
      mx: ['*.mail.company-y.example'],
      maxAge: 86400,
    })
    await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token, json: { rua: [] } })
    const recs = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
    const rua = recs.records.find((r: { name: string }) => r.name === `_smtp._tls.${DOMAIN}`)
    const url = new URL(/rua=(https:\/\/\S+)$/.exec(rua.value)![1]!)
    // Yesterday (UTC), a whole day as RFC 8460 §4.1 asks: inside the default 30-day window.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const body = report({
      'organization-name': `${XSS_SCRIPT}${XSS_ATTR}`,
      'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
      policies: [
        policy(
          {},
          {
            'failure-details': [
              detail({ 'result-type': XSS_SCRIPT, 'receiving-mx-hostname': XSS_ATTR }),
              detail({ 'result-type': 'certificate-expired' }),
            ],
          },
        ),
      ],
    })
    const res = await s.request('POST', url.pathname, {
      host: SERVICE_HOST,
      https: true,
      headers: { 'content-type': 'application/tlsrpt+json' },
      rawBody: Buffer.from(JSON.stringify(body)),
    })
    if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${res.text}`)
  })
  afterAll(async () => {
    await world?.close()
  })

  it('when a tenant opens the reports page and then a report, then both show the report as text, pass axe and run no reporter script', async () => {
    const page = await world.newPage()
    await signIn(page, token)

    await page.goto(world.url(`/domains/${DOMAIN}/reports`))
    await expect(page.locator('h1').innerText()).resolves.toBe(`TLS reports for ${DOMAIN}`)
    // The chart is an image with a name and a description, its numbers in the table under it.
    const chart = page.getByRole('img', { name: 'Sessions per day: successful and failed' })
    await expect(chart.count()).resolves.toBe(1)
    await expect(page.getByText('5326 successful and 303 failed sessions').count()).resolves.toBe(1)
    await expect(page.getByRole('cell', { name: XSS_ATTR }).count()).resolves.toBe(1)
    await expect(page.getByRole('rowheader', { name: XSS_SCRIPT }).count()).resolves.toBe(1)
    await expect(page.evaluate(() => (globalThis as { __xss?: number }).__xss)).resolves.toBe(
      undefined,
    )
    await checkA11y(page, 'reports')
    await screenshot(page, 'reports')

    await page.getByRole('link', { name: /T00:00:00Z$/ }).click()
    await page.waitForURL((u) => /\/reports\/[^/]+$/.test(u.pathname))
    await expect(page.locator('h1').innerText()).resolves.toBe(
      `TLS report from ${XSS_SCRIPT}${XSS_ATTR}`,
    )
    await expect(page.getByRole('rowheader', { name: XSS_SCRIPT }).count()).resolves.toBe(1)
    await expect(page.locator('pre', { hasText: '"organization-name"' }).count()).resolves.toBe(1)
    await expect(page.evaluate(() => (globalThis as { __xss?: number }).__xss)).resolves.toBe(
      undefined,
    )
    await checkA11y(page, 'report-detail')
    await screenshot(page, 'report-detail')
  })
})
