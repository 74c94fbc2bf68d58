/**
 * adapters/crypto: request ids. They join a response to its log line and are not secret (a
 * client's own sane X-Request-Id is kept as it is), so they need to be unique, not unguessable:
 * a random prefix per process and a counter, UUID-shaped. On the policy fast path a fresh
 * randomUUID() per request was ~2 % of the keep-alive profile's busy samples (bench row 1h).
 */
import { randomBytes } from 'node:crypto'

/** A generator of ids unique across processes (80 random bits) and within one (a counter). */
export function requestIds(): () => string {
  const hex = randomBytes(10).toString('hex')
  const prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16)}-`
  let next = 0
  return () => prefix + (next++).toString(16).padStart(12, '0')
}
