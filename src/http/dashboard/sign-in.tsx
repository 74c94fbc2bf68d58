/**
 * Sign-in and sign-out of the dashboard (issue 14). Signing in takes an API token once and gives
 * the browser a session cookie instead, so the token is not kept in the browser. The token is
 * never echoed back, not even after a failed attempt; attempts are limited per client address.
 */
import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { DomainError } from '../../core/errors.js'
import { signIn, signOut } from '../../services/auth/web-sessions.js'
import type { ServiceDeps } from '../../services/deps.js'
import { RateLimiter } from '../../services/engines/rate-limit.js'
import { plainAddress } from '../peer.js'
import type { DashEnv } from './dashboard-env.js'
import { GeneralErrors } from './fields.js'
import { noErrors } from './form-errors.js'
import { Layout } from './layout.js'
import { htmlPage } from './html-page.js'
import { pageHeaders } from './page-headers.js'
import {
  DEFAULT_LANDING,
  forbidden,
  isCrossSite,
  requireViewer,
  safeNext,
  sessionSecretOf,
} from './session.js'

/**
 * Sign-in attempts per client address and minute: plenty for a person who mistypes, and a
 * guesser gets nowhere against 256-bit tokens anyway; the limit keeps the hashing and the
 * database out of a flood.
 */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 10

/** The cookie's name without its prefix: hono adds `__Host-` and enforces what it requires. */
const COOKIE_NAME = 'policyhost_session'

const cookieOptions = {
  prefix: 'host',
  httpOnly: true,
  sameSite: 'Strict',
} as const

function SignInPage(props: { next: string | null; error: string | null }) {
  const errors = noErrors()
  if (props.error !== null) errors.general.push(props.error)
  return (
    <Layout title="Sign in" viewer={null}>
      <GeneralErrors errors={errors} />
      <form method="post" action="/sign-in" class="sign-in">
        {props.next !== null && <input type="hidden" name="next" value={props.next} />}
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          spellcheck={false}
          autocapitalize="off"
          required
          aria-describedby="token-hint"
        />
        <p id="token-hint" class="hint">
          A token of your tenant, or the operator's, starting with <code>ph_</code>.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  )
}

const page = htmlPage

/** GET and POST /sign-in, POST /sign-out; one rate limiter per call. */
export function signInRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const limiter = new RateLimiter(SIGN_IN_ATTEMPTS_PER_MINUTE, 60_000)
  const app = new Hono<DashEnv>()
  // Per route, not app.use(): mounted with route('/', …), a sub-app's '*' middleware would
  // apply to every path of the parent app (the API and policy serving included).
  const headers = pageHeaders()

  app.get('/sign-in', headers, (c) =>
    page(c, <SignInPage next={safeNext(c.req.query('next'))} error={null} />, 200),
  )

  app.post('/sign-in', headers, async (c) => {
    // No session yet, so no CSRF token: a sign-in posted from another site (login CSRF, which
    // would sign the victim in as the attacker) is refused by its Origin instead.
    if (isCrossSite(c)) return forbidden(c, 'cross-site request')
    // peerOf() reads the same socket; it is typed for AppEnv, whose variables lack `viewer`.
    const peer = plainAddress(c.env?.incoming?.socket.remoteAddress) ?? 'unknown'
    if (!limiter.take(peer, deps.clock.now().getTime())) {
      c.header('retry-after', '60')
      const error = 'Too many sign-in attempts from your address. Wait a minute and try again.'
      return page(c, <SignInPage next={null} error={error} />, 429)
    }
    // A malformed body is a failed attempt like any other, not a server error.
    const body = await c.req.parseBody().catch((): Record<string, unknown> => ({}))
    const next = safeNext(body['next'])
    let secret: string
    try {
      secret = (await signIn(deps, typeof body['token'] === 'string' ? body['token'] : '')).secret
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'UNAUTHORIZED') throw err
      return page(c, <SignInPage next={next} error="That token was not accepted." />, 401)
    }
    // A session the browser still had is ended, not left behind for whoever holds its cookie.
    await signOut(deps, sessionSecretOf(c))
    setCookie(c, COOKIE_NAME, secret, {
      ...cookieOptions,
      maxAge: Math.floor(deps.sessions.maxMs / 1000),
    })
    return c.redirect(next ?? DEFAULT_LANDING, 303)
  })

  app.post('/sign-out', headers, requireViewer(deps), async (c) => {
    await signOut(deps, sessionSecretOf(c))
    deleteCookie(c, COOKIE_NAME, cookieOptions)
    return c.redirect('/sign-in', 303)
  })

  return app
}
