/**
 * The dashboard's session at the edge (issue 14): the cookie, the guard in front of every page
 * behind sign-in, and the cross-site request checks. The cookie is `__Host-` prefixed (RFC 6265bis
 * §4.1.3.2: Secure, Path=/, no Domain), so no sibling host can set or shadow it; SameSite=Strict
 * keeps browsers from sending it on cross-site requests, and the CSRF token and Origin check
 * below stop the rest (an old browser, a same-site host).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { constantTimeEqual } from '../../core/constant-time.js'
import { resolveSession } from '../../services/auth/web-sessions.js'
import type { ServiceDeps } from '../../services/deps.js'
import type { DashEnv } from './dashboard-env.js'

export const SESSION_COOKIE = '__Host-policyhost_session'

/** Where sign-in goes when no (safe) `next` is given. */
export const DEFAULT_LANDING = '/domains'

/** Longest `next` kept: a path on this site, not a place to smuggle a document through. */
const MAX_NEXT_LENGTH = 2048

/**
 * `next` when it is a path on this origin, else null. Only one leading `/` and no backslash:
 * browsers read `//host` and `/\host` as another host (WHATWG URL treats `\` as `/`), so those
 * would make sign-in an open redirect. Control characters are refused for the same reason
 * (tabs and newlines are stripped by URL parsers).
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH) return null
  if (!next.startsWith('/') || next.startsWith('//')) return null
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return null
  return next
}

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD'

/**
 * True when the browser says the request comes from another site: an Origin header (RFC 6454
 * §7.3) naming another origin (`null` included), or Sec-Fetch-Site `cross-site`. Without
 * either header (a non-browser client) this check passes; the CSRF token still applies.
 */
export function isCrossSite(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return true
  return c.req.header('sec-fetch-site') === 'cross-site'
}

/** A plain 403 for a refused state-changing request; nothing was done. */
export function forbidden(c: Context, why: string): Response {
  return c.text(`Forbidden: ${why}.\n`, 403)
}

/** The session cookie's secret on this request, if any. */
export const sessionSecretOf = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE)

/**
 * Guards dashboard pages: resolves the session cookie (every request, so a revoked token or an
 * expired session ends here) and sets `viewer` (and `actor`). Without a live session a GET or
 * HEAD is sent to sign-in with the page to come back to; other methods get 403. A POST (or any
 * other non-GET) must also come from this origin and carry the session's CSRF token as form
 * field `_csrf`; the body is parsed here, and hono keeps it for the handler's own parseBody().
 */
export function requireViewer(deps: ServiceDeps): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    const session = await resolveSession(deps, sessionSecretOf(c))
    const safe = isSafeMethod(c.req.method)
    if (!session) {
      if (!safe) return forbidden(c, 'not signed in')
      const url = new URL(c.req.url)
      const back = safeNext(url.pathname + url.search)
      return c.redirect(back ? `/sign-in?next=${encodeURIComponent(back)}` : '/sign-in', 303)
    }
    if (!safe) {
      if (isCrossSite(c)) return forbidden(c, 'cross-site request')
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
      const token = (body as Record<string, unknown>)['_csrf']
      if (typeof token !== 'string' || !constantTimeEqual(token, session.csrf)) {
        return forbidden(c, 'missing or stale form token; reload the page and try again')
      }
    }
    const { actor } = session
    const name =
      actor.kind === 'operator'
        ? 'operator'
        : ((await deps.repos.tenants.byId(actor.tenantId))?.name ?? 'tenant')
    c.set('actor', actor)
    c.set('viewer', { actor, csrf: session.csrf, name })
    await next()
  }
}
