import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { createToken, revokeToken } from '../../services/auth/tokens.js'
import { createTenant } from '../../services/tenants/tenants.js'
import type { DashEnv } from './dashboard-env.js'
import { requireViewer, SESSION_COOKIE } from './session.js'
import { signInRoutes } from './sign-in.js'

const ORIGIN = 'http://localhost'
const COOKIE_RE = new RegExp(
  `^${SESSION_COOKIE}=([^;]+); Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Strict$`,
)

let world: ServiceWorld
let app: Hono<DashEnv>
let alpha: { id: string; token: string; tokenId: string }
/** What the dummy POST handler did: one entry per request that got through. */
let done: string[]

beforeEach(async () => {
  world = await serviceWorld({ SESSION_MAX_HOURS: '12' })
  const created = await createTenant(world.deps, world.operator, { name: 'alpha' })
  alpha = { id: created.id, token: created.token, tokenId: created.tokenId }
  done = []
  app = new Hono<DashEnv>()
  app.route('/', signInRoutes(world.deps))
  const guard = requireViewer(world.deps)
  app.get('/domains', guard, (c) =>
    c.json({ name: c.get('viewer').name, csrf: c.get('viewer').csrf }),
  )
  app.post('/action', guard, async (c) => {
    const body = await c.req.parseBody()
    done.push(String(body['what']))
    return c.text('done')
  })
})
afterEach(() => world.close())

const form = (fields: Record<string, string>) => new URLSearchParams(fields)

function signInWith(
  token: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  return app.request('/sign-in', {
    method: 'POST',
    body: form({ token, ...extra }),
    headers: { origin: ORIGIN, ...headers },
  })
}

/** Signs in with `token`; the session cookie's value and the page's csrf token. */
async function session(token = alpha.token): Promise<{ cookie: string; csrf: string }> {
  const res = await signInWith(token)
  expect(res.status).toBe(303)
  const secret = COOKIE_RE.exec(res.headers.get('set-cookie') ?? '')?.[1]
  expect(secret).toBeDefined()
  const cookie = `${SESSION_COOKIE}=${secret}`
  const page = await app.request('/domains', { headers: { cookie } })
  return { cookie, csrf: ((await page.json()) as { csrf: string }).csrf }
}

const post = (
  cookie: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) => app.request('/action', { method: 'POST', body: form(fields), headers: { cookie, ...headers } })

describe('sign-in', () => {
  it('when the sign-in page is asked for, then it shows a password field and the dashboard headers', async () => {
    const res = await app.request('/sign-in?next=%2Ftokens')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toMatch(/<label for="token">API token<\/label>/)
    expect(html).toMatch(/<input id="token" name="token" type="password"/)
    expect(html).toContain('<input type="hidden" name="next" value="/tokens"/>')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('when a good token signs in, then the session cookie has exactly the __Host- attributes and the page names the tenant', async () => {
    const res = await signInWith(alpha.token)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/domains')
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(COOKIE_RE)
    expect(setCookie).not.toContain(alpha.token)
    const { csrf } = await session()
    expect(csrf.length).toBeGreaterThan(20)
    const { cookie } = await session()
    expect(await (await app.request('/domains', { headers: { cookie } })).json()).toMatchObject({
      name: 'alpha',
    })
  })

  it('when the operator token signs in, then the viewer is named "operator"', async () => {
    const op = await createToken(world.deps, world.operator, { label: 'ops', operator: true })
    const { cookie } = await session(op.token)
    expect(await (await app.request('/domains', { headers: { cookie } })).json()).toMatchObject({
      name: 'operator',
    })
  })

  it('when a bad token signs in, then 401 with a message, no cookie, and the token is not echoed', async () => {
    const res = await signInWith('ph_guessed-secret-value', { next: '/tokens' })
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toBeNull()
    const html = await res.text()
    expect(html).toContain('That token was not accepted.')
    expect(html).not.toContain('ph_guessed-secret-value')
    expect(html).toContain('name="next" value="/tokens"')
  })

  it('when next is a local path, then sign-in goes there', async () => {
    const res = await signInWith(alpha.token, { next: '/tokens?page=2' })
    expect(res.headers.get('location')).toBe('/tokens?page=2')
  })

  it.each([
    '//evil.example',
    'https://evil.example',
    '/\\evil',
    '/\\/evil.example',
    '/\tevil',
    'evil',
  ])('when next is %j, then sign-in goes to /domains instead', async (next) => {
    const res = await signInWith(alpha.token, { next })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/domains')
    const page = await app.request(`/sign-in?next=${encodeURIComponent(next)}`)
    expect(await page.text()).not.toContain('name="next"')
  })

  it('when the sign-in form is posted from another origin, then 403 and no session', async () => {
    const res = await signInWith(alpha.token, {}, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
    const [sessions] = await world.store.sql<{ n: unknown }>(
      'SELECT count(*) AS n FROM web_sessions',
    )
    expect({ n: Number(sessions?.n) }).toEqual({ n: 0 })
  })

  it('when an address makes an 11th attempt within a minute, then 429 even with a good token', async () => {
    for (let i = 0; i < 10; i++) expect((await signInWith('ph_wrong')).status).toBe(401)
    const res = await signInWith(alpha.token)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('60')
    expect(res.headers.get('set-cookie')).toBeNull()
    world.clock.advance(60)
    expect((await signInWith(alpha.token)).status).toBe(303)
  })

  it('when a browser with a session signs in again, then its old session ends', async () => {
    const old = await session()
    const res = await signInWith(alpha.token, {}, { cookie: old.cookie })
    expect(res.status).toBe(303)
    expect((await app.request('/domains', { headers: { cookie: old.cookie } })).status).toBe(303)
  })
})

describe('requireViewer', () => {
  it('when a page is asked for without a session, then 303 to sign-in with the page as next', async () => {
    const res = await app.request('/domains?sort=name')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fdomains%3Fsort%3Dname')
    const bogus = await app.request('/domains', {
      headers: { cookie: `${SESSION_COOKIE}=ph_forged` },
    })
    expect(bogus.headers.get('location')).toBe('/sign-in?next=%2Fdomains')
  })

  it('when a form is posted without a session, then 403 and nothing done', async () => {
    const res = await post('', { what: 'x' })
    expect(res.status).toBe(403)
    expect(done).toEqual([])
  })

  it.each([
    ['missing', {}],
    ['wrong', { _csrf: 'ph_not-the-token' }],
    ['empty', { _csrf: '' }],
  ])(
    'when the CSRF token is %s, then 403 and nothing done',
    async (_, fields: Record<string, string>) => {
      const { cookie } = await session()
      const res = await post(cookie, { what: 'x', ...fields })
      expect(res.status).toBe(403)
      expect(await res.text()).toMatch(/^Forbidden: /)
      expect(done).toEqual([])
    },
  )

  it("when another session's CSRF token is sent, then 403 and nothing done", async () => {
    const mine = await session()
    const theirs = await session()
    expect((await post(mine.cookie, { what: 'x', _csrf: theirs.csrf })).status).toBe(403)
    expect(done).toEqual([])
  })

  it('when the CSRF token is right, then the form goes through (same Origin or none)', async () => {
    const { cookie, csrf } = await session()
    expect((await post(cookie, { what: 'a', _csrf: csrf })).status).toBe(200)
    expect((await post(cookie, { what: 'b', _csrf: csrf }, { origin: ORIGIN })).status).toBe(200)
    expect(done).toEqual(['a', 'b'])
  })

  it.each([
    ['another Origin', { origin: 'https://evil.example' }],
    ['Origin null', { origin: 'null' }],
    ['another scheme', { origin: 'https://localhost' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])(
    'when a form with the right CSRF token comes with %s, then 403 and nothing done',
    async (_, headers) => {
      const { cookie, csrf } = await session()
      expect((await post(cookie, { what: 'x', _csrf: csrf }, headers)).status).toBe(403)
      expect(done).toEqual([])
    },
  )

  it('when the token is revoked, then the next request goes to sign-in and a form is refused', async () => {
    const { cookie, csrf } = await session()
    expect((await app.request('/domains', { headers: { cookie } })).status).toBe(200)
    await revokeToken(world.deps, world.operator, alpha.tokenId)
    const res = await app.request('/domains', { headers: { cookie } })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fdomains')
    expect((await post(cookie, { what: 'x', _csrf: csrf })).status).toBe(403)
    expect(done).toEqual([])
  })
})

describe('sign-out', () => {
  it('when signing out with the CSRF token, then the session ends and the cookie is cleared', async () => {
    const { cookie, csrf } = await session()
    const res = await app.request('/sign-out', {
      method: 'POST',
      body: form({ _csrf: csrf }),
      headers: { cookie, origin: ORIGIN },
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/sign-in')
    expect(res.headers.get('set-cookie')).toBe(
      `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict`,
    )
    expect((await app.request('/domains', { headers: { cookie } })).status).toBe(303)
  })

  it('when signing out without the CSRF token, then 403 and the session lives on', async () => {
    const { cookie } = await session()
    const res = await app.request('/sign-out', {
      method: 'POST',
      body: form({}),
      headers: { cookie },
    })
    expect(res.status).toBe(403)
    expect((await app.request('/domains', { headers: { cookie } })).status).toBe(200)
  })
})
