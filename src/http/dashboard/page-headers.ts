/**
 * Headers on every dashboard response (issue 14): a strict CSP — our own origin's script and
 * stylesheet only, no inline code, no framing, forms post only here — and no caching of pages
 * that show a tenant's data.
 */
import type { MiddlewareHandler } from 'hono'

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export function pageHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const h = c.res.headers
    h.set('content-security-policy', DASHBOARD_CSP)
    h.set('x-frame-options', 'DENY')
    h.set('x-content-type-options', 'nosniff')
    h.set('referrer-policy', 'same-origin')
    h.set('cross-origin-opener-policy', 'same-origin')
    h.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()')
    // HTTPS only (the dashboard is not on the HTTP listener): browsers stay on it (RFC 6797).
    h.set('strict-transport-security', 'max-age=31536000')
    if (!h.has('cache-control')) h.set('cache-control', 'no-store')
  }
}
