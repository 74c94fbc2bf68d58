/**
 * Dashboard sign-in (issue 14): an API token opens a session, the browser keeps the session's
 * secret in a cookie, and each request resolves it again — so idle time, the absolute lifetime
 * and the token's revocation all end it on the very next request.
 */
import { actorTenant, type Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import { sessionVerdict, shouldTouch } from '../../core/web-sessions.js'
import type { ServiceDeps } from '../deps.js'
import { authenticate } from './auth.js'

/**
 * Longer than any token we mint (`ph_` + 43 characters): a pasted page of text is not worth a
 * hash, and nothing longer can be one of ours.
 */
const MAX_SECRET_LENGTH = 200

export interface SignedIn {
  /** For the cookie only: the store keeps its hash. */
  secret: string
  csrf: string
  actor: Actor
}

export interface ResolvedSession {
  actor: Actor
  csrf: string
  tokenId: string
}

/** One answer for every bad token, so sign-in does not tell unknown from revoked. */
const refused = () => new DomainError('UNAUTHORIZED', 'sign-in failed: unknown or revoked token')

/** Opens a session for the holder of an API token; UNAUTHORIZED (one message) for any bad token. */
export async function signIn(deps: ServiceDeps, tokenSecret: string): Promise<SignedIn> {
  const given = tokenSecret.trim()
  if (given.length === 0 || given.length > MAX_SECRET_LENGTH) throw refused()
  let actor: Actor
  try {
    actor = await authenticate(deps, given)
  } catch (err) {
    if (err instanceof DomainError && err.code === 'UNAUTHORIZED') throw refused()
    throw err
  }
  const tokenId = actor.tokenId
  if (tokenId === null) throw refused()
  const now = deps.clock.now()
  const secret = deps.newSecret()
  const csrf = deps.newSecret()
  await deps.repos.sessions.create({
    id: deps.sha256Hex(secret),
    tokenId,
    csrf,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + deps.sessions.maxMs),
  })
  deps.log.info('dashboard_sign_in', { tokenId, tenantId: actorTenant(actor) })
  return { secret, csrf, actor }
}

/**
 * The live session behind a cookie's secret, or null: unknown, idle too long, past its absolute
 * end, or its token revoked. A session found dead is deleted (all of the token's, when revoked).
 */
export async function resolveSession(
  deps: ServiceDeps,
  secret: string | null | undefined,
): Promise<ResolvedSession | null> {
  if (!secret || secret.length > MAX_SECRET_LENGTH) return null
  const session = await deps.repos.sessions.get(deps.sha256Hex(secret))
  if (!session) return null
  const now = deps.clock.now()
  const verdict = sessionVerdict(session, now, deps.sessions)
  if (verdict !== 'live') {
    if (verdict === 'revoked') await deps.repos.sessions.removeForToken(session.tokenId)
    else await deps.repos.sessions.remove(session.id)
    deps.log.info('dashboard_session_ended', { tokenId: session.tokenId, reason: verdict })
    return null
  }
  if (shouldTouch(session, now)) await deps.repos.sessions.touch(session.id, now)
  const { tenantId } = session.token
  const actor: Actor =
    tenantId === null
      ? { kind: 'operator', tokenId: session.tokenId }
      : { kind: 'tenant', tenantId, tokenId: session.tokenId }
  return { actor, csrf: session.csrf, tokenId: session.tokenId }
}

/** Ends the session behind the secret (nothing happens for an unknown one). */
export async function signOut(deps: ServiceDeps, secret: string | null | undefined): Promise<void> {
  if (!secret || secret.length > MAX_SECRET_LENGTH) return
  if (await deps.repos.sessions.remove(deps.sha256Hex(secret))) {
    deps.log.info('dashboard_sign_out', {})
  }
}

/**
 * Deletes sessions past their absolute end or idle too long, for a periodic sweep: resolving
 * already refuses them, this only keeps the table small. Returns how many went.
 */
export async function pruneSessions(deps: ServiceDeps): Promise<number> {
  const now = deps.clock.now()
  return deps.repos.sessions.removeExpired(now, new Date(now.getTime() - deps.sessions.idleMs))
}
