/**
 * The dashboard's pages over the app (issue 14): sign in with a token, the domains list, add a
 * domain, the policy editor with a problem shown beside its field, the zone file, CSRF, the
 * headers every page carries, and attacker text shown as text. The real-browser suite
 * (test/browser) drives the same pages through Chromium.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { FORM, formBody as form, signedIn as signIn } from './helpers/dashboard.js'
import { createTenant, domainWithPolicy } from './helpers/test-server.js'

const signedIn = (token: string) => signIn(s, token)

/** A fresh app with tenant acme holding example.org in testing; returns acme's token. */
async function acmeWithDomain(): Promise<string> {
  s = await startApp()
  const { token } = await createTenant(s, 'acme')
  await domainWithPolicy(s, token, 'example.org', {
    mode: 'testing',
    mx: ['mx.example.org'],
    maxAge: 86400,
  })
  return token
}

let s: TestApp
afterEach(async () => s.close())

describe('dashboard pages (issue 14)', () => {
  it('when a tenant signs in, then /domains lists its domains with their state, under a strict CSP', async () => {
    const token = await acmeWithDomain()
    const { get } = await signedIn(token)

    const r = await get('/domains')

    expect(r.status).toBe(200)
    expect(r.text.startsWith('<!doctype html>')).toBe(true)
    expect(r.text).toContain('href="/domains/example.org"')
    expect(r.text).toContain('<td data-label="Policy">testing</td>')
    expect(r.headers['content-security-policy']).toContain("script-src 'self'")
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(r.headers['cache-control']).toBe('no-store')
  })

  it('when nobody is signed in, then a page redirects to sign-in and a form post is refused', async () => {
    s = await startApp()

    const page = await s.request('GET', '/domains/example.org')
    const post = await s.request('POST', '/domains', {
      headers: FORM,
      rawBody: form({ name: 'x.example' }),
    })

    expect(page.status).toBe(303)
    expect(page.headers.location).toBe('/sign-in?next=%2Fdomains%2Fexample.org')
    expect(post.status).toBe(403)
  })

  it('when a policy is saved with a bad MX and max_age, then each problem is beside its field and nothing is stored; fixed, it is saved', async () => {
    const token = await acmeWithDomain()
    const { post } = await signedIn(token)

    const bad = await post('/domains/example.org/policy', {
      mode: 'enforce',
      mx: 'mx.example.org\nbad host!',
      maxAge: '99999999999',
    })
    const stored = (await s.request('GET', '/api/v1/domains/example.org/mta-sts', { token })).json()
    const good = await post('/domains/example.org/policy', {
      mode: 'enforce',
      mx: 'mx.example.org',
      maxAge: '604800',
    })
    const after = (await s.request('GET', '/api/v1/domains/example.org/mta-sts', { token })).json()

    expect(bad.status).toBe(422)
    expect(bad.text).toMatch(/<textarea id="mx"[^>]*aria-invalid="true"/)
    expect(bad.text).toMatch(/<div id="mx-error"><p class="field-error">mx\.1: [^<]+<\/p>/)
    expect(bad.text).toMatch(/<div id="maxAge-error"><p class="field-error">[^<]+<\/p>/)
    // The refused input is shown again for correction.
    expect(bad.text).toContain('bad host!')
    expect(stored).toMatchObject({ mode: 'testing', maxAge: 86400 })
    expect(good.status).toBe(303)
    expect(good.headers.location).toBe('/domains/example.org?done=policy')
    expect(after).toMatchObject({ mode: 'enforce', maxAge: 604800 })
  })

  it('when a form comes without the session CSRF token, then 403 and nothing changes', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const { cookie } = await signedIn(token)

    const r = await s.request('POST', '/domains', {
      headers: { ...FORM, cookie },
      rawBody: form({ name: 'sneaky.example' }),
    })
    const list = (await s.request('GET', '/api/v1/domains', { token })).json()

    expect(r.status).toBe(403)
    expect(JSON.stringify(list)).not.toContain('sneaky.example')
  })

  it('when a domain is added from the list page, then it is created and its page opens; a bad name is shown beside the field', async () => {
    s = await startApp()
    const { token } = await createTenant(s, 'acme')
    const { post, get } = await signedIn(token)

    const added = await post('/domains', { name: 'new.example' })
    const page = await get('/domains/new.example')
    const bad = await post('/domains', { name: 'not a domain' })

    expect(added.status).toBe(303)
    expect(added.headers.location).toBe('/domains/new.example')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>new.example</h1>')
    expect(bad.status).toBe(422)
    expect(bad.text).toMatch(/id="new-domain"[^>]*aria-invalid="true"/)
    expect(bad.text).toContain('value="not a domain"')
  })

  it('when the zone file is downloaded, then it is the records in BIND form, as an attachment', async () => {
    const token = await acmeWithDomain()
    const { get } = await signedIn(token)

    const r = await get('/domains/example.org/records.zone')
    const api = await s.request('GET', '/api/v1/domains/example.org/records?format=bind', { token })

    expect(r.status).toBe(200)
    expect(r.headers['content-disposition']).toBe('attachment; filename="example.org.zone"')
    expect(r.text).toBe(api.text)
  })

  it("when another tenant's domain is opened, then it is not found (an HTML page, not their data)", async () => {
    s = await startApp()
    const a = await createTenant(s, 'acme')
    const b = await createTenant(s, 'other')
    await domainWithPolicy(s, a.token, 'example.org', {
      mode: 'testing',
      mx: ['mx.example.org'],
      maxAge: 86400,
    })
    const { get } = await signedIn(b.token)

    const r = await get('/domains/example.org')

    expect(r.status).toBe(404)
    expect(r.headers['content-type']).toContain('text/html')
    expect(r.text).not.toContain('mx.example.org')
  })

  it('when a finding message carries markup, then the page shows it as text', async () => {
    const token = await acmeWithDomain()
    const domain = (await s.runtime.deps.repos.domains.list(null))[0]!
    await s.runtime.deps.repos.checks.record({
      domainId: domain.id,
      tenantId: domain.tenantId,
      domain: domain.name,
      at: new Date(),
      ran: ['mx'],
      found: [
        {
          kind: 'mx',
          key: 'mx:uncovered:x',
          severity: 'error',
          message: '<script>alert(1)</script><img src=x onerror=alert(2)>',
        },
      ],
      skipped: [],
    })
    const { get } = await signedIn(token)

    const r = await get('/domains/example.org')

    expect(r.text).not.toContain('<script>alert(1)')
    expect(r.text).not.toContain('<img src=x')
    expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})
