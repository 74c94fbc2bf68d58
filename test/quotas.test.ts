import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { column, scalar } from './helpers/server-store.js'
import { ADMIN_TOKEN, createTenant } from './helpers/test-server.js'

const LOGO = readFileSync(new URL('./fixtures/svg/real-fastmail-fm.svg', import.meta.url), 'utf8')
/** A distinct valid Tiny PS logo per `n` (only the title differs). */
const logo = (n: number) => LOGO.replace('<title>FM-Icon-RGB</title>', `<title>FM-${n}</title>`)

let s: TestApp
afterEach(() => s?.close())

const putLogo = (token: string, domain: string, svg: string, selector = 'default') =>
  s.request('PUT', `/api/v1/domains/${domain}/bimi/logo?selector=${selector}`, {
    token,
    rawBody: svg,
    headers: { 'content-type': 'image/svg+xml' },
  })

describe('tenant quotas (issue 9 finding 8)', () => {
  it('when a tenant reaches its domain quota, then the next domain is refused naming the limit until the operator raises it', async () => {
    s = await startApp({ env: { QUOTA_DOMAINS_PER_TENANT: '3' } })
    const b = await createTenant(s, 'bravo')
    const add = (name: string) =>
      s.request('POST', '/api/v1/domains', { token: b.token, json: { name } })
    for (let i = 0; i < 3; i++) expect((await add(`d${i}.bravo.example`)).status).toBe(201)
    const refused = await add('d3.bravo.example')
    expect(refused.status).toBe(422)
    expect(refused.text).toContain('QUOTA_DOMAINS_PER_TENANT')
    expect(refused.json().errors[0]).toMatchObject({ path: 'quota.domainsPerTenant' })
    expect(refused.json().detail).toContain('3')
    const stored = Number(
      await scalar(s, 'SELECT count(*) AS n FROM domains WHERE tenant_id = ?', b.id),
    )
    expect(stored).toBe(3)

    // Only the operator sets overrides; the tenant sees its effective values.
    const self = await s.request('PUT', `/api/v1/tenants/${b.id}/quotas`, {
      token: b.token,
      json: { domainsPerTenant: 1000 },
    })
    expect(self.status).toBe(403)
    const raised = await s.request('PUT', `/api/v1/tenants/${b.id}/quotas`, {
      token: ADMIN_TOKEN,
      json: { domainsPerTenant: 4 },
    })
    expect(raised.status).toBe(200)
    expect(raised.json().quotas.domainsPerTenant).toBe(4)
    const seen = await s.request('GET', `/api/v1/tenants/${b.id}/quotas`, { token: b.token })
    expect(seen.status).toBe(200)
    expect(seen.json()).toMatchObject({
      tenantId: b.id,
      quotas: { domainsPerTenant: 4, selectorsPerDomain: 10 },
      overrides: { domainsPerTenant: 4 },
    })
    expect((await add('d3.bravo.example')).status).toBe(201)
    expect((await add('d4.bravo.example')).status).toBe(422)

    // Another tenant's quotas are not visible; a bad value names its key.
    const a = await createTenant(s, 'alpha')
    expect(
      (await s.request('GET', `/api/v1/tenants/${b.id}/quotas`, { token: a.token })).status,
    ).toBe(404)
    const bad = await s.request('PUT', `/api/v1/tenants/${b.id}/quotas`, {
      token: ADMIN_TOKEN,
      json: { domainsPerTenant: -1 },
    })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('domainsPerTenant')
  })

  it('when a domain has its quota of selectors, logos or logo bytes, then the next upload is refused naming the limit', async () => {
    s = await startApp({
      env: {
        QUOTA_SELECTORS_PER_DOMAIN: '2',
        QUOTA_LOGOS_PER_DOMAIN: '3',
        QUOTA_LOGO_BYTES_PER_DOMAIN: String(LOGO.length * 10),
      },
    })
    const b = await createTenant(s, 'bravo')
    await s.request('POST', '/api/v1/domains', { token: b.token, json: { name: 'bravo.example' } })
    expect((await putLogo(b.token, 'bravo.example', logo(0), 'one')).status).toBe(200)
    expect((await putLogo(b.token, 'bravo.example', logo(0), 'two')).status).toBe(200)
    const third = await putLogo(b.token, 'bravo.example', logo(0), 'three')
    expect(third.status).toBe(422)
    expect(third.text).toContain('QUOTA_SELECTORS_PER_DOMAIN')

    expect((await putLogo(b.token, 'bravo.example', logo(1), 'one')).status).toBe(200)
    expect((await putLogo(b.token, 'bravo.example', logo(2), 'one')).status).toBe(200)
    const fourth = await putLogo(b.token, 'bravo.example', logo(3), 'one')
    expect(fourth.status).toBe(422)
    expect(fourth.text).toContain('QUOTA_LOGOS_PER_DOMAIN')
    // Re-publishing a logo the domain already keeps costs nothing.
    expect((await putLogo(b.token, 'bravo.example', logo(0), 'one')).status).toBe(200)
    const kept = Number(await scalar(s, 'SELECT count(*) AS n FROM domain_logos'))
    expect(kept).toBe(3)

    await s.request('PUT', `/api/v1/tenants/${b.id}/quotas`, {
      token: ADMIN_TOKEN,
      json: { logosPerDomain: 100, logoBytesPerDomain: LOGO.length * 3 + 10 },
    })
    const bytes = await putLogo(b.token, 'bravo.example', logo(4), 'one')
    expect(bytes.status).toBe(422)
    expect(bytes.text).toContain('logoBytesPerDomain')
  })
})

describe('names and labels (issue 9 finding 12)', () => {
  it('when a tenant name differs from an existing one only by case, then 409 and one tenant', async () => {
    s = await startApp()
    await createTenant(s, 'alpha')
    const again = await s.request('POST', '/api/v1/tenants', {
      token: ADMIN_TOKEN,
      json: { name: 'ALPHA' },
    })
    expect(again.status).toBe(409)
    const names = await column(s, "SELECT name FROM tenants WHERE lower(name) = 'alpha'")
    expect(names).toEqual(['alpha'])
  })

  it('when a token label has a control or bidi character, then 422 naming label and nothing is stored', async () => {
    s = await startApp()
    const a = await createTenant(s, 'alpha')
    for (const label of ['ci\u0000deploy', 'evil\u202Etxt.exe', 'two\nlines', 'x\u2066y']) {
      const res = await s.request('POST', '/api/v1/tokens', { token: a.token, json: { label } })
      expect(res.status, JSON.stringify(label)).toBe(422)
      expect(res.json().errors[0].path).toBe('label')
    }
    const count = Number(
      await scalar(s, 'SELECT count(*) AS n FROM api_tokens WHERE tenant_id = ?', a.id),
    )
    expect(count).toBe(1)
    const ok = await s.request('POST', '/api/v1/tokens', { token: a.token, json: { label: 'ci' } })
    expect(ok.status).toBe(201)
  })
})

describe('token list (issue 9 build point 3)', () => {
  it('when tokens are listed, then pages follow the cursor, each tenant sees its own, and no secret is shown', async () => {
    s = await startApp()
    const a = await createTenant(s, 'alpha')
    const b = await createTenant(s, 'bravo')
    for (let i = 0; i < 4; i++) {
      await s.request('POST', '/api/v1/tokens', { token: a.token, json: { label: `a-${i}` } })
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const page = await s.request('GET', `/api/v1/tokens?limit=2${q}`, { token: a.token })
      expect(page.status).toBe(200)
      const body = page.json()
      expect(body.tokens.length).toBeLessThanOrEqual(2)
      for (const t of body.tokens) {
        expect(Object.keys(t).sort()).toEqual(
          ['createdAt', 'id', 'label', 'lastUsedAt', 'revokedAt', 'tenantId'].sort(),
        )
        expect(t.tenantId).toBe(a.id)
        seen.push(t.label)
      }
      cursor = body.nextCursor
    } while (cursor)
    expect(seen.sort()).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'initial'])

    const ofB = await s.request('GET', `/api/v1/tokens?tenantId=${b.id}`, { token: ADMIN_TOKEN })
    expect(ofB.json().tokens.map((t: { label: string }) => t.label)).toEqual(['initial'])
    const all = await s.request('GET', '/api/v1/tokens?limit=100', { token: ADMIN_TOKEN })
    expect(all.json().tokens.length).toBeGreaterThanOrEqual(7)
    expect(
      (await s.request('GET', `/api/v1/tokens?tenantId=${a.id}`, { token: b.token })).status,
    ).toBe(403)
    const badCursor = await s.request('GET', '/api/v1/tokens?cursor=%%%', { token: a.token })
    expect(badCursor.status).toBe(400)
    expect(badCursor.json().errors[0].path).toBe('cursor')
    const badLimit = await s.request('GET', '/api/v1/tokens?limit=0', { token: a.token })
    expect(badLimit.status).toBe(400)
    expect(badLimit.json().errors[0].path).toBe('limit')
  })
})
