/**
 * Real-browser harness for the dashboard (issue 14): a real policyhost server with its real HTTPS
 * listener and local CA, and Debian's chromium driven by playwright-core. The browser reaches
 * `https://<SERVICE_HOST>/…` exactly as a user would: the name is mapped to the loopback listener
 * inside chromium (no /etc/hosts edit), and the local CA's root is trusted by its key, so a
 * certificate the server should not present still fails the navigation.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import axe from 'axe-core'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import {
  issueDue,
  SERVICE_HOST,
  startServer,
  type StartOptions,
  type TestServer,
} from '../helpers/test-server.js'

/** Debian's chromium package (scripts/test-deps.sh installs it); playwright's download is not used. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

export const SCREENSHOT_DIR = join(import.meta.dirname, 'screenshots')

/**
 * Whether this run may skip the browser tests: only a developer without chromium and without
 * root. CI and root must run them (`npm test` runs scripts/test-deps.sh, which installs it).
 */
export const SKIP_BROWSER =
  !existsSync(CHROMIUM_PATH) && process.env.CI === undefined && process.getuid?.() !== 0
/** Appended to a suite's name when it is skipped, so the report says why. */
export const SKIP_NOTE = SKIP_BROWSER
  ? ` (SKIPPED: no ${CHROMIUM_PATH}; sudo apt-get install chromium)`
  : ''

/** The phone width of `screenshot()`'s second image: a common current phone in CSS pixels. */
export const PHONE_WIDTH = 390
const PHONE_HEIGHT = 844

/** Axe impacts that fail `checkA11y`: WCAG failures that block or seriously hinder someone. */
const BLOCKING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical'])

export type A11yViolation = axe.Result

export interface LaunchOptions {
  /**
   * Trust the server's local CA (default). False launches a browser that does not, so a test can
   * show that navigation then fails — i.e. that the trust is what lets it through.
   */
  trustLocalCa?: boolean
}

export interface BrowserWorld {
  server: TestServer
  browser: Browser
  /** `https://<SERVICE_HOST><path>`: port 443 as users see it, mapped to the test listener. */
  url(path: string): string
  /** A page in a fresh context: its own cookies, so each page signs in on its own. */
  newPage(): Promise<Page>
  /** Closes the browser, then the server (its data dir removed). */
  close(): Promise<void>
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo, the form chromium's SPKI list takes. */
export function spkiHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64')
}

/**
 * Chromium's command line for a test server. Playwright itself adds `--headless` (headless: true;
 * Debian's chromium 156 has only the new headless mode) and `--no-sandbox` (chromiumSandbox:
 * false), which running as root in a container requires: chromium refuses to sandbox as root.
 */
export function chromiumArgs(server: TestServer, opts: LaunchOptions = {}): string[] {
  const args = [
    // The service host, port 443, goes to the test listener: URLs keep their real name and no
    // port (Host header and SNI as in production); other names resolve as usual.
    `--host-resolver-rules=MAP ${SERVICE_HOST}:443 127.0.0.1:${server.httpsPort}, EXCLUDE localhost`,
    // Containers often give /dev/shm 64 MB, too little for chromium's renderers; use /tmp.
    '--disable-dev-shm-usage',
  ]
  // Trust the local CA's root by its key instead of ignoring every certificate error: chromium
  // then accepts only chains that carry this root (the server sends leaf + root), so another
  // CA's certificate still fails the navigation. Chromium then clears every error for such a
  // chain, the name check included, so tests check the served certificate's subject themselves
  // (`securityDetails()`). Adding the root to an NSS store instead would need certutil (one more
  // package) and a private HOME.
  if (opts.trustLocalCa !== false) {
    args.push(`--ignore-certificate-errors-spki-list=${spkiHash(server.rootPem)}`)
  }
  return args
}

/** Launches chromium for `server`; throws with the install hint when the binary is missing. */
export async function launchBrowser(
  server: TestServer,
  opts: LaunchOptions = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run scripts/test-deps.sh (apt-get install chromium)`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: chromiumArgs(server, opts),
  })
}

/** A real server with HTTPS certificates issued, and a browser that trusts its local CA. */
export async function startBrowserWorld(opts: StartOptions = {}): Promise<BrowserWorld> {
  const server = await startServer(opts)
  let browser: Browser
  try {
    // The service host's certificate, so the first navigation is not refused at the handshake.
    await issueDue(server)
    browser = await launchBrowser(server)
  } catch (err) {
    await server.close()
    throw err
  }
  const contexts: BrowserContext[] = []
  return {
    server,
    browser,
    url: (path) => `https://${SERVICE_HOST}${path}`,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      contexts.push(context)
      return context.newPage()
    },
    async close() {
      try {
        for (const c of contexts) await c.close()
        await browser.close()
      } finally {
        await server.close()
      }
    },
  }
}

/**
 * Signs `page` in through the /sign-in form as a person would (label "API token", button "Sign
 * in") and waits for the page the redirect leads to; throws with the status when refused.
 */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`https://${SERVICE_HOST}/sign-in`)
  await page.getByLabel('API token').fill(token)
  const [answer] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in',
    ),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ])
  // 303 to the landing page; anything else is the form again, with the reason on it.
  if (answer.status() !== 303) {
    throw new Error(
      `sign-in answered ${answer.status()}: ${await page.locator('body').innerText()}`,
    )
  }
  await page.waitForURL((u) => u.pathname !== '/sign-in')
  await page.waitForLoadState('load')
}

/**
 * Runs axe-core on the page as it is now and returns every violation; throws, listing them, when
 * any is serious or critical. axe is evaluated over the DevTools protocol, which the dashboard's
 * CSP (script-src 'self', no inline) does not govern — so the page keeps its real CSP during the
 * check, unlike with `bypassCSP`, which would also hide CSP breakage from the same test.
 */
export async function checkA11y(page: Page, name: string): Promise<A11yViolation[]> {
  const violations = await axeViolations(page)
  recordA11y(name, page.url(), violations)
  const blocking = violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''))
  if (blocking.length > 0) {
    const lines = blocking.map(
      (v) =>
        `- ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    )
    throw new Error(
      `${name}: ${blocking.length} serious/critical a11y violations\n${lines.join('\n')}`,
    )
  }
  return violations
}

/**
 * Keeps each checked page's axe outcome in screenshots/axe/<name>.json (every violation by rule
 * and impact, with the nodes' count), so a run leaves the results beside the screenshots.
 */
function recordA11y(name: string, url: string, violations: A11yViolation[]): void {
  const dir = join(SCREENSHOT_DIR, 'axe')
  mkdirSync(dir, { recursive: true })
  const summary = violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }))
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ page: name, url, violations: summary }))
}

/** Every axe violation on the page, whatever its impact. */
export async function axeViolations(page: Page): Promise<A11yViolation[]> {
  await page.evaluate(axe.source)
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] }),
  )
  return results.violations
}

/**
 * Saves full-page PNGs of the page: `<name>.png` at the page's width and `<name>-phone.png` at
 * PHONE_WIDTH, into test/browser/screenshots/ (overwritten each run). Returns both paths.
 */
export async function screenshot(page: Page, name: string): Promise<[string, string]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const wide = join(SCREENSHOT_DIR, `${name}.png`)
  const phone = join(SCREENSHOT_DIR, `${name}-phone.png`)
  await page.screenshot({ path: wide, fullPage: true })
  const before = page.viewportSize()
  await page.setViewportSize({ width: PHONE_WIDTH, height: PHONE_HEIGHT })
  try {
    await page.screenshot({ path: phone, fullPage: true })
  } finally {
    if (before) await page.setViewportSize(before)
  }
  return [wide, phone]
}
