/**
 * Issue 14, tests in a real browser: chromium opens the dashboard on the real HTTPS listener. The
 * first of a suite that grows with the pages: real TLS by the service host's name, sign-in, and
 * the harness's own checks (an untrusted CA fails, axe runs under the dashboard's CSP).
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DASHBOARD_CSP } from '../../src/http/dashboard/page-headers.js'
import { createTenant, SERVICE_HOST } from '../helpers/test-server.js'
import {
  axeViolations,
  checkA11y,
  SKIP_BROWSER,
  SKIP_NOTE,
  launchBrowser,
  PHONE_WIDTH,
  screenshot,
  signIn,
  startBrowserWorld,
  type BrowserWorld,
} from './harness.js'

/** Width and height from a PNG's IHDR chunk (PNG spec §11.2.2), to check what was saved. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path)
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG')
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

describe.skipIf(SKIP_BROWSER)(`the dashboard in chromium${SKIP_NOTE}`, () => {
  let world: BrowserWorld

  beforeAll(async () => {
    world = await startBrowserWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('when the browser opens /sign-in, then the service host answers over its own certificate, accepted without an interstitial', async () => {
    const page = await world.newPage()
    const res = await page.goto(world.url('/sign-in'))
    if (res === null) throw new Error('no response for /sign-in')
    // A certificate error would have thrown, or left the page on chrome-error://.
    expect(page.url()).toBe(`https://${SERVICE_HOST}/sign-in`)
    const tls = await res.securityDetails()
    expect(tls).toMatchObject({ subjectName: SERVICE_HOST, protocol: 'TLS 1.3' })
    expect(tls?.issuer).toMatch(/^policyhost Local Root CA /)
    // This server answered it, by the name a user types (no port: 443 as in production).
    const logged = world.server.logged('request').filter((e) => e.path === '/sign-in')
    expect(logged).toEqual([expect.objectContaining({ host: SERVICE_HOST, status: res.status() })])
    expect(res.status()).toBe(200)
    expect(res.headers()['content-security-policy']).toBe(DASHBOARD_CSP)
    await expect(page.getByLabel('API token').isVisible()).resolves.toBe(true)
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true)
    await checkA11y(page, 'sign-in')
    const [wide, phone] = await screenshot(page, 'sign-in')
    expect(pngSize(wide).width).toBe(1280)
    expect(pngSize(phone).width).toBe(PHONE_WIDTH)
    // The page is left at its own width for whatever the test does next.
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 })
  })

  it('when the browser does not trust the local CA, then the navigation fails on the certificate', async () => {
    const untrusting = await launchBrowser(world.server, { trustLocalCa: false })
    try {
      const page = await untrusting.newPage()
      await expect(page.goto(world.url('/healthz'))).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/)
    } finally {
      await untrusting.close()
    }
  })

  it("when a page carries the dashboard's CSP, then axe still runs and a serious violation fails checkA11y", async () => {
    const page = await world.newPage()
    const probe = world.url('/__a11y-probe')
    // A fixture page, not the server: an unlabelled image and an empty button (both critical),
    // and an inline script the CSP must block.
    await page.route(probe, (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/html', 'content-security-policy': DASHBOARD_CSP },
        body:
          '<!doctype html><html lang="en"><head><title>probe</title></head><body><main>' +
          '<img src="/logo.png"><button></button>' +
          "<script>document.title = 'inline ran'</script></main></body></html>",
      }),
    )
    await page.goto(probe)
    await expect(checkA11y(page, 'probe')).rejects.toThrow(/critical image-alt/)
    const ids = (await axeViolations(page)).map((v) => v.id)
    expect(ids).toEqual(expect.arrayContaining(['image-alt', 'button-name']))
    // The CSP was in force the whole time: the inline script never ran.
    await expect(page.title()).resolves.toBe('probe')
  })

  it('when a tenant signs in through the form, then the browser lands on /domains with a session cookie', async () => {
    const tenant = await createTenant(world.server, 'alpha')
    const page = await world.newPage()
    await signIn(page, tenant.token)
    expect(new URL(page.url()).pathname).toBe('/domains')
    const cookies = await page.context().cookies()
    expect(cookies).toEqual([
      expect.objectContaining({ name: '__Host-policyhost_session', secure: true, httpOnly: true }),
    ])
    await checkA11y(page, 'domains-empty')
    await screenshot(page, 'domains-empty')
  })
})
