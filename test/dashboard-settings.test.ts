/**
 * The dashboard's account pages over the app (issue 14): API tokens (the secret shown once;
 * revoking a session's token ends it, from this session or another), alert webhooks, contacts
 * and the test alert, the operator's tenants and service overview (404 for a tenant), and
 * outside text (token labels, webhook URLs, delivery answers) shown as text.
 */
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { signedIn, type SignedIn } from './helpers/dashboard.js'
import { ADMIN_TOKEN, createTenant, domainWithPolicy } from './helpers/test-server.js'

const XSS = '<script>window.__xss=1</script>'

let s: TestApp
let receiver: Server | undefined
afterEach(async () => {
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)))
  receiver = undefined
  await s.close()
})

/** A webhook receiver on loopback answering `status` to every POST. */
async function listen(status: number): Promise<string> {
  receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(status).end())
  })
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`
}

/** The value of the read-only input `id` (a secret shown once). */
const inputValue = (html: string, id: string) =>
  new RegExp(`<input id="${id}" value="([^"]+)"`).exec(html)?.[1] ?? null

/** The token ids a tenant's API lists, by label. */
async function tokenIds(token: string): Promise<Map<string, string>> {
  const r = await s.request('GET', '/api/v1/tokens', { token })
  const items = r.json().tokens as { id: string; label: string }[]
  return new Map(items.map((t) => [t.label, t.id]))
}

/**
 * A finding on a new domain of the tenant, queued to its webhooks as the dispatcher queues it,
 * and the first delivery settled as failed for good with `reason`.
 */
async function failedDelivery(token: string, tenantId: string, reason: string): Promise<void> {
  await domainWithPolicy(s, token, 'example.org', {
    mode: 'testing',
    mx: ['mx.example.org'],
    maxAge: 86400,
  })
  const repos = s.runtime.deps.repos
  const domain = (await repos.domains.list(null))[0]!
  await repos.checks.record({
    domainId: domain.id,
    tenantId,
    domain: domain.name,
    at: new Date(),
    ran: ['mx'],
    found: [{ kind: 'mx', key: 'mx:x', severity: 'error', message: 'mx not covered' }],
    skipped: [],
  })
  await repos.alerts.enqueue(new Date(), () => crypto.randomUUID(), 10)
  const [due] = await repos.alerts.due(new Date(Date.now() + 60_000), 10)
  await repos.alerts.settle(
    due!.id,
    { status: 'failed', attempts: 3, nextAttemptAt: null, lastStatus: 500, lastReason: reason },
    new Date(),
  )
}

const post = (who: SignedIn, path: string, fields: Record<string, string> = {}, from = '/tokens') =>
  who.post(path, fields, from)

describe('account pages: tokens (issue 14)', () => {
  it('when a token is created, then its secret is on that page once, works, and is gone on the next load', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const created = await post(me, '/tokens', { label: 'CI deploy' })
    const secret = inputValue(created.text, 'new-token')
    const next = await me.get('/tokens')

    expect(created.status).toBe(200)
    expect(created.text).toContain('it will not be shown again')
    expect(created.text).toContain('data-copy="new-token"')
    expect(secret).not.toBeNull()
    expect((await s.request('GET', '/api/v1/domains', { token: secret! })).status).toBe(200)
    expect(next.status).toBe(200)
    expect(next.text).toContain('CI deploy')
    expect(next.text).not.toContain(secret!)
    expect(next.text).not.toContain('id="new-token"')
  })

  it('when a label is refused, then the problem is beside the field and no token is made', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const r = await post(me, '/tokens', { label: '  ' })

    expect(r.status).toBe(422)
    expect(r.text).toMatch(/id="token-label"[^>]*aria-invalid="true"/)
    expect([...(await tokenIds(token)).keys()]).toEqual(['initial'])
  })

  it('when a session revokes its own token, then it is sent to sign-in and its next page load goes there too', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)
    const id = (await tokenIds(token)).get('initial')!

    const r = await post(me, `/tokens/${id}/revoke`)
    const next = await me.get('/tokens')

    expect(r.status).toBe(303)
    expect(r.headers.location).toBe('/sign-in')
    expect(next.status).toBe(303)
    expect(next.headers.location).toMatch(/^\/sign-in/)
    expect((await s.request('GET', '/api/v1/domains', { token })).status).toBe(401)
  })

  it("when a second session revokes the first session's token, then the first session ends and the second goes on", async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const second = await signedIn(s, token)
    const made = await post(second, '/tokens', { label: 'laptop' })
    const laptop = inputValue(made.text, 'new-token')!
    const first = await signedIn(s, laptop)
    expect((await first.get('/tokens')).status).toBe(200)

    const r = await post(second, `/tokens/${(await tokenIds(token)).get('laptop')}/revoke`)
    const firstNext = await first.get('/domains')
    const secondNext = await second.get(r.headers.location!)

    expect(r.status).toBe(303)
    expect(r.headers.location).toBe('/tokens?done=revoked')
    expect(firstNext.status).toBe(303)
    expect(firstNext.headers.location).toBe('/sign-in?next=%2Fdomains')
    expect(secondNext.status).toBe(200)
    expect(secondNext.text).toContain('Token revoked.')
    expect(secondNext.text).toMatch(/laptop[\s\S]*revoked \d{4}-/)
  })

  it("when a tenant revokes another tenant's token id, then it is not found and the token lives", async () => {
    s = await startApp()
    const a = await createTenant(s, 'acme')
    const b = await createTenant(s, 'other')
    const me = await signedIn(s, a.token)

    const r = await post(me, `/tokens/${(await tokenIds(b.token)).get('initial')}/revoke`)

    expect(r.status).toBe(404)
    expect((await s.request('GET', '/api/v1/domains', { token: b.token })).status).toBe(200)
  })

  it('when a token label carries a script, then /tokens shows it as text', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)
    await post(me, '/tokens', { label: XSS })

    const r = await me.get('/tokens')

    expect(r.text).not.toContain(XSS)
    expect(r.text).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;')
  })
})

describe('account pages: alerts (issue 14)', () => {
  it('when a webhook is added, then its signing secret is shown once; removed, it is gone', async () => {
    s = await startApp()
    const { id: tenantId, token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const added = await post(
      me,
      '/alerts/webhooks',
      { url: 'https://hooks.example.com/in' },
      '/alerts',
    )
    const secret = inputValue(added.text, 'webhook-secret')
    const stored = await s.runtime.deps.repos.alerts.webhooks(tenantId)
    const page = await me.get('/alerts')
    const removed = await post(me, `/alerts/webhooks/${stored[0]!.id}/remove`, {}, '/alerts')
    const after = await me.get('/alerts?done=webhook-removed')

    expect(added.status).toBe(200)
    expect(secret).not.toBeNull()
    expect(stored.map((w) => w.url)).toEqual(['https://hooks.example.com/in'])
    expect(page.text).toContain('https://hooks.example.com/in')
    expect(page.text).not.toContain(secret!)
    expect(removed.status).toBe(303)
    expect(removed.headers.location).toBe('/alerts?done=webhook-removed')
    expect(await s.runtime.deps.repos.alerts.webhooks(tenantId)).toEqual([])
    expect(after.text).toContain('Webhook removed.')
    expect(after.text).toContain('No webhooks.')
  })

  it('when a webhook URL is not https, then the problem is beside the field and nothing is stored', async () => {
    s = await startApp()
    const { id: tenantId, token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const r = await post(me, '/alerts/webhooks', { url: 'http://hooks.example.com/in' }, '/alerts')

    expect(r.status).toBe(422)
    expect(r.text).toMatch(/id="webhook-url"[^>]*aria-invalid="true"/)
    expect(r.text).toContain('must be an https: URL')
    expect(await s.runtime.deps.repos.alerts.webhooks(tenantId)).toEqual([])
  })

  it('when SMTP_URL is unset, then the page says mail alerts are off and adding an address says why', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const page = await me.get('/alerts')
    const r = await post(me, '/alerts/contacts', { email: 'ops@example.com' }, '/alerts')

    expect(page.text).toContain('Mail alerts are off on this server')
    expect(r.status).toBe(409)
    expect(r.text).toContain('mail alerts are off on this server')
    expect(r.text).toContain('value="ops@example.com"')
  })

  it('when a test alert is sent, then each webhook outcome is shown; with nothing to send to, the refusal', async () => {
    s = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } })
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)
    const none = await post(me, '/alerts/test', {}, '/alerts')
    const url = await listen(503)
    await post(me, '/alerts/webhooks', { url }, '/alerts')

    const r = await post(me, '/alerts/test', {}, '/alerts')

    expect(none.status).toBe(409)
    expect(none.text).toContain('nothing to send to')
    expect(r.status).toBe(200)
    expect(r.text).toMatch(
      new RegExp(`webhook ${url}: <span class="state-error">failed</span> \\(status 503\\)`),
    )
  })

  it("when a delivery's last answer or a webhook URL carries a script, then they are shown as text", async () => {
    s = await startApp()
    const { id: tenantId, token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)
    await post(me, '/alerts/webhooks', { url: `https://hooks.example.com/${XSS}` }, '/alerts')
    await failedDelivery(token, tenantId, XSS)

    const r = await me.get('/alerts')

    expect(r.text).not.toContain(XSS)
    expect(r.text).toContain(
      'failed</span> (status 500) — &lt;script&gt;window.__xss=1&lt;/script&gt;',
    )
    expect(r.text).toContain('https://hooks.example.com/&lt;script&gt;')
  })
})

describe('account pages: operator (issue 14)', () => {
  it('when a tenant opens or posts to the operator pages, then 404 and nothing is made', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const me = await signedIn(s, token)

    const tenants = await me.get('/operator/tenants')
    const overview = await me.get('/operator/overview')
    const made = await post(me, '/operator/tenants', { name: 'sneaky' })

    expect(tenants.status).toBe(404)
    expect(tenants.headers['content-type']).toContain('text/html')
    expect(overview.status).toBe(404)
    expect(made.status).toBe(404)
    expect(tenants.text).not.toContain('acme</th>')
    expect(await s.runtime.deps.repos.tenants.byName('sneaky')).toBeNull()
    expect(tenants.text).not.toContain('href="/operator/tenants"')
  })

  it('when the operator creates a tenant, then its first token is shown once and works; the list shows it', async () => {
    s = await startApp()
    const op = await signedIn(s, ADMIN_TOKEN)

    const r = await post(op, '/operator/tenants', { name: 'newco' }, '/operator/tenants')
    const first = inputValue(r.text, 'tenant-token')
    const list = await op.get('/operator/tenants')
    const bad = await post(op, '/operator/tenants', { name: 'not a name' }, '/operator/tenants')

    expect(r.status).toBe(200)
    expect(first).not.toBeNull()
    expect((await s.request('GET', '/api/v1/domains', { token: first! })).status).toBe(200)
    expect(list.text).toContain('<th scope="row">newco</th>')
    expect(list.text).not.toContain(first!)
    expect(bad.status).toBe(422)
    expect(bad.text).toMatch(/id="tenant-name"[^>]*aria-invalid="true"/)
  })

  it('when a certificate fails and a delivery failed, then the overview counts states and shows both errors', async () => {
    s = await startApp()
    const { id: tenantId, token } = await createTenant(s, 'acme')
    const repos = s.runtime.deps.repos
    await post(
      await signedIn(s, token),
      '/alerts/webhooks',
      { url: 'https://h.example/in' },
      '/alerts',
    )
    await failedDelivery(token, tenantId, 'http 500')
    const now = new Date()
    await repos.certs.save({
      hostname: 'mta-sts.broken.example',
      status: 'failed',
      issuerName: null,
      serial: null,
      issuer: null,
      notBefore: null,
      notAfter: null,
      renewAt: null,
      dueAt: new Date(now.getTime() + 3_600_000),
      failures: 4,
      lastError: `acme: rate limited ${XSS}`,
      lastAttemptAt: now,
      dnsStatus: null,
      dnsDetail: null,
      updatedAt: now,
    })
    const op = await signedIn(s, ADMIN_TOKEN)

    const r = await op.get('/operator/overview')

    expect(r.status).toBe(200)
    expect(r.text).toMatch(/failing<\/th><td>1<\/td>/)
    expect(r.text).toContain('<th scope="row">mta-sts.broken.example</th><td>4</td>')
    expect(r.text).toContain('acme: rate limited &lt;script&gt;')
    expect(r.text).not.toContain(XSS)
    expect(r.text).toMatch(
      /<td>acme<\/td><th scope="row">webhook <code>https:\/\/h\.example\/in<\/code><\/th><td>3<\/td><td>status 500 http 500<\/td>/,
    )
  })

  it('when the operator opens /alerts, then it picks a tenant first and then manages that one', async () => {
    s = await startApp()
    const { id: tenantId } = await createTenant(s, 'acme')
    const op = await signedIn(s, ADMIN_TOKEN)

    const pick = await op.get('/alerts')
    const page = await op.get(`/alerts?tenant=${tenantId}`)
    const added = await post(
      op,
      '/alerts/webhooks',
      { url: 'https://hooks.example.com/op', tenant: tenantId },
      `/alerts?tenant=${tenantId}`,
    )

    expect(pick.text).toContain(`<option value="${tenantId}">acme</option>`)
    expect(page.status).toBe(200)
    expect(page.text).toContain(`name="tenant" value="${tenantId}"`)
    expect(added.status).toBe(200)
    expect((await s.runtime.deps.repos.alerts.webhooks(tenantId)).map((w) => w.url)).toEqual([
      'https://hooks.example.com/op',
    ])
  })
})
