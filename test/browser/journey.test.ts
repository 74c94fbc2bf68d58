/**
 * Issue 14 in a real browser: a domain owner's first visit — sign in, add a domain, set a policy
 * with a mistake and fix it from the problems shown beside the fields, copy the records — and
 * the same essentials with JavaScript off. Every page passes axe and is screenshotted.
 */
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

describe.skipIf(SKIP_BROWSER)(`a domain owner in chromium (issue 14)${SKIP_NOTE}`, () => {
  let world: BrowserWorld
  let token: string

  beforeAll(async () => {
    world = await startBrowserWorld()
    token = (await createTenant(world.server, 'journey')).token
  })
  afterAll(async () => {
    await world?.close()
  })

  it('when the owner adds a domain, sets a policy with mistakes, fixes them and copies a record, then each step shows its outcome', async () => {
    const page = await world.newPage()
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: world.url(''),
    })
    await signIn(page, token)

    await page.getByLabel('Domain name').fill('journey.example')
    await page.getByRole('button', { name: 'Add domain' }).click()
    await page.waitForURL(world.url('/domains/journey.example'))
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
      'journey.example',
    )

    await page.getByLabel('Mode').selectOption('enforce')
    await page.getByLabel(/^MX hosts/).fill('mx.journey.example\nbad host!')
    await page.getByLabel(/^max_age/).fill('forever')
    await page.getByRole('button', { name: 'Save policy' }).click()
    await page.waitForLoadState('load')
    // Each problem beside its field, tied to it for screen readers.
    await expect(page.locator('#mx-error').innerText()).resolves.toMatch(/^mx\.1: /)
    await expect(page.locator('#maxAge-error').innerText()).resolves.not.toBe('')
    await expect(page.getByLabel(/^MX hosts/).getAttribute('aria-describedby')).resolves.toBe(
      'mx-error',
    )
    await checkA11y(page, 'policy-errors')
    await screenshot(page, 'policy-errors')

    await page.getByLabel(/^MX hosts/).fill('mx.journey.example')
    await page.getByLabel(/^max_age/).fill('604800')
    await page.getByRole('button', { name: 'Save policy' }).click()
    await page.waitForURL(/done=policy/)
    await expect(page.getByRole('status').first().innerText()).resolves.toBe('Policy saved.')

    const record = page.getByLabel('_mta-sts.journey.example TXT')
    const value = await record.inputValue()
    await page.locator(`button[data-copy="${await record.getAttribute('id')}"]`).click()
    // The label changes once the clipboard write resolves (and back after 2 s).
    await page.getByRole('button', { name: 'Copied' }).waitFor({ timeout: 1500 })
    await expect(page.getByRole('button', { name: 'Copied' }).count()).resolves.toBe(1)
    const copied = await page.evaluate('navigator.clipboard.readText()')
    expect(copied).toBe(value)
    expect(value).toMatch(/^v=STSv1; id=[0-9a-f]+$/)
    await checkA11y(page, 'domain')
    await screenshot(page, 'domain')

    await page.goto(world.url('/domains'))
    await expect(page.getByRole('link', { name: 'journey.example' }).isVisible()).resolves.toBe(
      true,
    )
    await expect(page.locator('td', { hasText: 'enforce' }).count()).resolves.toBe(1)
    await checkA11y(page, 'domains')
    await screenshot(page, 'domains')

    const missing = await page.goto(world.url('/domains/nowhere.example'))
    expect(missing?.status()).toBe(404)
    await expect(page.getByRole('alert').innerText()).resolves.toContain('nowhere.example')
    await checkA11y(page, 'not-found')
    await screenshot(page, 'not-found')
  })

  it('when JavaScript is off, then signing in, reading the state, the records and setting a policy still work', async () => {
    const context = await world.browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
    })
    try {
      const page = await context.newPage()
      await signIn(page, token)
      await page.goto(world.url('/domains/journey.example'))
      await expect(page.getByRole('heading', { name: 'State' }).isVisible()).resolves.toBe(true)
      // Without the script the copy buttons are hidden and the record is there to select.
      await expect(page.getByRole('button', { name: 'Copy' }).first().isVisible()).resolves.toBe(
        false,
      )
      await expect(page.locator('textarea.record').first().isVisible()).resolves.toBe(true)

      await page.getByLabel('Mode').selectOption('testing')
      await page.getByRole('button', { name: 'Save policy' }).click()
      await page.waitForURL(/done=policy/)
      await expect(page.getByLabel('Mode').inputValue()).resolves.toBe('testing')
    } finally {
      await context.close()
    }
  })

  it('when a domain-like name carries script, then it is shown back as text and never runs', async () => {
    const page = await world.newPage()
    await signIn(page, token)
    const attack = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

    await page.getByLabel('Domain name').fill(attack)
    await page.getByRole('button', { name: 'Add domain' }).click()
    await page.waitForLoadState('load')

    await expect(page.getByLabel('Domain name').inputValue()).resolves.toBe(attack)
    await expect(page.locator('#new-domain-error').innerText()).resolves.not.toBe('')
    await expect(page.evaluate('window.__xss')).resolves.toBe(undefined)
  })

  it('when the owner uses only the keyboard, then the skip link comes first, focus is visible, and a domain is added with Tab and Enter', async () => {
    const page = await world.newPage()
    await signIn(page, token)

    await page.keyboard.press('Tab')
    const first = await page.evaluate('document.activeElement.textContent')
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')
    await page.keyboard.press('Enter')
    const afterSkip = await page.evaluate('document.activeElement.id')
    let focused = ''
    for (let i = 0; i < 40 && focused !== 'new-domain'; i++) {
      await page.keyboard.press('Tab')
      focused = String(await page.evaluate('document.activeElement.id'))
    }
    await page.keyboard.type('keyboard.example')
    await page.keyboard.press('Enter')
    await page.waitForURL(world.url('/domains/keyboard.example'))

    expect(first).toBe('Skip to content')
    expect(outline).toBe('solid')
    expect(afterSkip).toBe('main')
    expect(focused).toBe('new-domain')
  })
})
