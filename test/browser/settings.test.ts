/**
 * Issue 14 in a real browser, the account pages: the same token signed in from two browser
 * contexts, revoked from the second, ends the first ("revoke the token in another session and see
 * the first session end"); tokens, alerts and the operator's pages pass axe and are
 * screenshotted, and outside text carrying a script is shown as text and never runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant } from '../helpers/test-server.js'
import {
  checkA11y,
  SKIP_BROWSER,
  SKIP_NOTE,
  screenshot,
  signIn,
  startBrowserWorld,
  type BrowserWorld,
} from './harness.js'

const XSS = '<script>window.__xss=1</script>'

describe.skipIf(SKIP_BROWSER)(`account pages in chromium (issue 14)${SKIP_NOTE}`, () => {
  let world: BrowserWorld

  beforeAll(async () => {
    world = await startBrowserWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('when a token is revoked in a second session, then the first session lands on sign-in at its next load', async () => {
    const { token } = await createTenant(world.server, 'twice')
    const first = await world.newPage()
    const second = await world.newPage()
    await signIn(first, token)
    await signIn(second, token)
    await first.goto(world.url('/tokens'))
    await expect(first.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('API tokens')

    await second.goto(world.url('/tokens'))
    await second.getByRole('button', { name: /^Revoke initial/ }).click()
    await second.waitForURL((u) => u.pathname === '/sign-in')
    await first.reload()

    expect(new URL(first.url()).pathname).toBe('/sign-in')
    await expect(first.getByLabel('API token').isVisible()).resolves.toBe(true)
  })

  it('when a token is created with a script in its label, then the secret is shown once with a copy button and the label is text', async () => {
    const { token } = await createTenant(world.server, 'tokens')
    const page = await world.newPage()
    await signIn(page, token)
    await page.goto(world.url('/tokens'))

    await page.getByLabel(/^Label/).fill(XSS)
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.waitForLoadState('load')

    const secret = await page.getByLabel('The new token').inputValue()
    expect(secret.length).toBeGreaterThan(20)
    await expect(page.locator('button[data-copy="new-token"]').isVisible()).resolves.toBe(true)
    await expect(page.getByRole('rowheader', { name: XSS }).isVisible()).resolves.toBe(true)
    await expect(page.evaluate('window.__xss')).resolves.toBe(undefined)
    await checkA11y(page, 'tokens')
    await screenshot(page, 'tokens')
    await page.goto(world.url('/tokens'))
    await expect(page.locator('#new-token').count()).resolves.toBe(0)
  })

  it('when a webhook with a script in its URL is added, then its secret is shown and the URL is text', async () => {
    const { token } = await createTenant(world.server, 'alerts')
    const page = await world.newPage()
    await signIn(page, token)
    await page.goto(world.url('/alerts'))
    const url = `https://hooks.example.com/${XSS}`

    await page.getByLabel(/^URL/).fill(url)
    await page.getByRole('button', { name: 'Add webhook' }).click()
    await page.waitForLoadState('load')

    await expect(page.getByLabel(/^Its signing secret/).inputValue()).resolves.not.toBe('')
    await expect(page.getByRole('rowheader', { name: url }).isVisible()).resolves.toBe(true)
    await expect(page.getByText('Mail alerts are off on this server').isVisible()).resolves.toBe(
      true,
    )
    await expect(page.evaluate('window.__xss')).resolves.toBe(undefined)
    await checkA11y(page, 'alerts')
    await screenshot(page, 'alerts')
  })

  it("when the operator creates a tenant and opens the overview, then the tenant's first token is shown once and both pages pass axe", async () => {
    const page = await world.newPage()
    await signIn(page, ADMIN_TOKEN)
    await page.goto(world.url('/operator/tenants'))

    await page.getByLabel(/^Name/).fill('newco')
    await page.getByRole('button', { name: 'Create tenant' }).click()
    await page.waitForLoadState('load')

    await expect(page.getByLabel(/^Its first API token/).inputValue()).resolves.toMatch(/\S{20,}/)
    await expect(page.getByRole('rowheader', { name: 'newco' }).isVisible()).resolves.toBe(true)
    await checkA11y(page, 'operator-tenants')
    await screenshot(page, 'operator-tenants')

    await page.goto(world.url('/operator/overview'))
    await expect(
      page.getByRole('heading', { level: 2, name: 'Certificates by state' }).isVisible(),
    ).resolves.toBe(true)
    // The service host's own certificate was issued when the world started.
    await expect(page.getByRole('row', { name: /^valid \d+$/ }).innerText()).resolves.toMatch(
      /[1-9]/,
    )
    await checkA11y(page, 'operator-overview')
    await screenshot(page, 'operator-overview')
  })
})
