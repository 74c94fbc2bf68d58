import type { MiddlewareHandler } from 'hono'
import type { ServiceDeps } from '../../services/deps.js'
import { authenticate } from '../../services/auth/auth.js'
import type { AppEnv } from '../env.js'

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})\s*$/i

/**
 * Resolves `Authorization: Bearer <token>` to the acting tenant or operator and stores it as
 * `actor`. A missing, malformed, unknown or revoked token fails with 401 before any handler.
 */
export function bearerAuth(deps: ServiceDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '')
    c.set('actor', await authenticate(deps, match?.[1] ?? null))
    await next()
  }
}
