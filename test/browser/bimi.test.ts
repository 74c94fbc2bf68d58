/**
 * Issue 14, the BIMI page in a real browser: an invalid logo refused with its reasons on the
 * page, the same file converted and both versions shown as images from the sandboxed preview
 * path, the converted one stored with one button, and script-bearing text (an SVG title, a
 * script element) shown as text and never run. axe and screenshots on each state.
 */
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTenant } from '../helpers/test-server.js'
import {
  checkA11y,
  SKIP_BROWSER,
  SKIP_NOTE,
  screenshot,
  signIn,
  startBrowserWorld,
  type BrowserWorld,
} from './harness.js'

const DOMAIN = 'bimi.example'
const XSS = '<script>window.__xss=1</script>'
/** An ordinary SVG 1.1 export with a script element and a script-bearing title. */
const LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" x="0" y="0" viewBox="0 0 100 100">' +
    '<title>&lt;script&gt;window.__xss=1&lt;/script&gt;</title>' +
    '<script>window.__xss=2</script>' +
    '<rect width="100" height="100" fill="#ffffff"/><circle cx="50" cy="50" r="35" fill="#0b57a4"/>' +
    '</svg>',
)
const file = { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: LOGO }

const naturalWidth = (img: Locator) =>
  img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)
const xss = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)

describe.skipIf(SKIP_BROWSER)(`the BIMI page in chromium (issue 14)${SKIP_NOTE}`, () => {
  let world: BrowserWorld
  let token: string

  beforeAll(async () => {
    // DMARC lookups go to a closed port: they fail at once instead of leaving loopback.
    world = await startBrowserWorld({ env: { DNS_SERVERS: '127.0.0.1:9' } })
    token = (await createTenant(world.server, 'brand')).token
    const added = await world.server.request('POST', '/api/v1/domains', {
      token,
      json: { name: DOMAIN },
    })
    expect(added.status).toBe(201)
  })
  afterAll(async () => {
    await world?.close()
  })

  it('when an invalid logo is uploaded, converted and the result used, then each step shows its outcome and nothing runs', async () => {
    const page = await world.newPage()
    await signIn(page, token)
    await page.goto(world.url(`/domains/${DOMAIN}/bimi`))

    // 1. The invalid logo: refused, every reason on the page.
    await page.getByLabel('Logo (SVG Tiny PS)').setInputFiles(file)
    await page.getByRole('button', { name: 'Upload the logo' }).click()
    await page.waitForLoadState('load')
    const reasons = page.locator('#upload-error')
    await expect(reasons.isVisible()).resolves.toBe(true)
    await expect(reasons.innerText()).resolves.toMatch(/^the logo is not valid SVG Tiny PS/)
    const rules = await reasons.locator('li code').allInnerTexts()
    expect(rules).toEqual(expect.arrayContaining(['root-version', 'forbidden-element']))
    await checkA11y(page, 'bimi-refused')

    // 2. Converted: both versions shown as images that load.
    await page.getByLabel('SVG file').setInputFiles(file)
    await page.getByRole('button', { name: 'Convert' }).click()
    await page.waitForLoadState('load')
    const original = page.getByRole('img', { name: 'The original SVG, as uploaded' })
    const converted = page.getByRole('img', { name: 'The converted SVG Tiny PS logo' })
    await expect(original.isVisible()).resolves.toBe(true)
    await expect(converted.isVisible()).resolves.toBe(true)
    await expect.poll(() => naturalWidth(original)).toBeGreaterThan(0)
    await expect.poll(() => naturalWidth(converted)).toBeGreaterThan(0)
    await expect(page.getByText(`Title in the converted logo: ${XSS}`).isVisible()).resolves.toBe(
      true,
    )
    await expect(xss(page)).resolves.toBeUndefined()
    await checkA11y(page, 'bimi-convert')
    await screenshot(page, 'bimi-convert')

    // 3. Used: stored under the chosen selector, shown with its logo.
    await page.locator('#use-selector').fill('brand')
    await page.getByRole('button', { name: 'Use the converted logo' }).click()
    await page.waitForURL(world.url(`/domains/${DOMAIN}/bimi?done=converted`))
    await expect(page.getByText('Converted logo stored.').isVisible()).resolves.toBe(true)
    await expect(page.getByRole('rowheader', { name: 'brand' }).first().isVisible()).resolves.toBe(
      true,
    )
    const logo = page.getByRole('img', { name: 'Logo of selector brand' })
    await expect.poll(() => naturalWidth(logo)).toBeGreaterThan(0)
    await expect(page.getByText('brand._bimi.bimi.example').isVisible()).resolves.toBe(true)
    await expect(xss(page)).resolves.toBeUndefined()
    await checkA11y(page, 'bimi')
    await screenshot(page, 'bimi')
  })
})
