import type { Actor } from '../../core/actor.js'
import { constantTimeEqual } from '../../core/constant-time.js'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../deps.js'

/** last_used_at is a hint for operators; once a minute is enough and spares a write per call. */
const TOUCH_EVERY_MS = 60_000

/** Resolves a bearer secret to an actor; UNAUTHORIZED when missing, unknown or revoked. */
export async function authenticate(deps: ServiceDeps, secret: string | null): Promise<Actor> {
  if (!secret) throw new DomainError('UNAUTHORIZED', 'missing bearer token')
  const hash = deps.sha256Hex(secret)
  const token = await deps.repos.tokens.byHash(hash)
  // The lookup is by hash; the explicit compare keeps the final decision constant-time.
  if (!token || !constantTimeEqual(token.sha256, hash) || token.revokedAt) {
    throw new DomainError('UNAUTHORIZED', 'invalid or revoked token')
  }
  const now = deps.clock.now()
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await deps.repos.tokens.touch(token.id, now)
  }
  return token.tenantId === null
    ? { kind: 'operator', tokenId: token.id }
    : { kind: 'tenant', tenantId: token.tenantId, tokenId: token.id }
}
