import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../../core/ports.js'
import type { AppEnv } from '../env.js'
import { peerOf } from '../peer.js'

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/

/** A sane incoming `X-Request-Id` is kept, so traces join up; anything else gets a new id. */
export const requestIdOf = (incoming: string | undefined, newId: () => string): string =>
  incoming !== undefined && VALID_ID.test(incoming) ? incoming : newId()

/** Milliseconds since `started`, to two decimals, as the canonical line prints them. */
export const elapsedMs = (started: number): number =>
  Math.round((performance.now() - started) * 100) / 100

/**
 * Gives every request an id (a sane incoming `X-Request-Id` is kept, so traces join up) and
 * writes one canonical log line when it finishes: id, peer address, host, method, path, status,
 * duration.
 */
export function requestLog(log: Logger, newId: () => string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    const requestId = requestIdOf(c.req.header('x-request-id'), newId)
    c.set('requestId', requestId)
    c.set('log', log.child({ requestId }))
    await next()
    c.header('x-request-id', requestId)
    log.info('request', {
      requestId,
      peer: peerOf(c),
      host: c.req.header('host'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: elapsedMs(started),
    })
  }
}
