import type { MiddlewareHandler } from 'hono'
import { hostFromHeader } from '../../core/domain-name.js'
import type { AppEnv } from '../env.js'
import { problem } from '../errors.js'
import { hostFieldCount, serverNameOf } from '../peer.js'

/**
 * Checks the Host header against the connection before any route runs, on both listeners:
 * - more than one Host field is a malformed request (RFC 9112 §3.2: respond 400), not
 *   "the first one wins";
 * - over TLS the Host must name the host the connection was made for (its SNI): otherwise
 *   alpha's certificate would carry bravo's policy, or the admin API. 421 Misdirected Request
 *   (RFC 9110 §15.5.20) tells the client to open a connection for that host.
 * Requests without a socket (app.request() in tests) have nothing to check.
 */
export function hostGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.env?.incoming
    if (incoming === undefined) return next()
    if (hostFieldCount(incoming.rawHeaders) > 1) {
      return problem(c, 400, 'more than one Host header')
    }
    const sni = serverNameOf(incoming.socket)
    if (sni !== null && hostFromHeader(incoming.headers.host) !== sni) {
      return problem(
        c,
        421,
        'the Host header does not name the host this TLS connection was made for (SNI)',
      )
    }
    return next()
  }
}
