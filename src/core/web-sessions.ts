/**
 * Dashboard sign-in sessions (issue 14): the store port and the rules that end a session. A
 * session is opened with an API token and lives only as long as that token does, whichever of
 * idle time, absolute lifetime or revocation comes first.
 */

/** A session as written at sign-in. */
export interface NewWebSession {
  /** Lower-case hex SHA-256 of the session secret; the secret itself lives only in the cookie. */
  id: string
  /** The API token signed in with: revoking it ends the session. */
  tokenId: string
  /** Per-session token every state-changing form must carry back. */
  csrf: string
  createdAt: Date
  lastSeenAt: Date
  /** Absolute end, fixed at sign-in (SESSION_MAX_HOURS then). */
  expiresAt: Date
}

/** A stored session with what its token says now, read in the same query. */
export interface StoredWebSession extends NewWebSession {
  token: {
    /** null for an operator token. */
    tenantId: string | null
    revokedAt: Date | null
  }
}

/**
 * Where sessions are kept. Each method is one atomic statement; none writes an audit row
 * (sessions are not configuration — sign-in and sign-out are logged instead).
 *
 * `get` reads the session and its token together, so a revocation committed before the call is
 * seen; it does NOT judge the session: a caller must check `sessionVerdict` (idle, absolute
 * expiry, revoked token) on every read, because rows outlive those limits until something
 * removes them. `touch` may race a `remove`: it then updates nothing, and the next `get` finds
 * no row. Deleting the token deletes its sessions (foreign key, cascade).
 */
export interface SessionRepo {
  /** Stores a new session; the id is a hash of 256 random bits, so it never collides. */
  create(session: NewWebSession): Promise<void>
  /** The session with this id joined with its token, or null. */
  get(id: string): Promise<StoredWebSession | null>
  /** Records activity; a removed session stays removed. */
  touch(id: string, lastSeenAt: Date): Promise<void>
  /** Deletes one session; false when it was not there. */
  remove(id: string): Promise<boolean>
  /** Deletes every session opened with the token; how many there were. */
  removeForToken(tokenId: string): Promise<number>
  /**
   * Deletes sessions whose absolute end is at or before `now` and, with `idleSince`, those not
   * seen since before it; how many.
   */
  removeExpired(now: Date, idleSince?: Date): Promise<number>
}

/** How long a session may sit unused, and live at most (from config). */
export interface SessionLimits {
  idleMs: number
  maxMs: number
}

export type SessionVerdict = 'live' | 'idle' | 'expired' | 'revoked'

/** Whether the session may still be used at `now`; revocation wins over the time limits. */
export function sessionVerdict(
  session: StoredWebSession,
  now: Date,
  limits: SessionLimits,
): SessionVerdict {
  const t = now.getTime()
  if (session.token.revokedAt !== null) return 'revoked'
  // Both ends count: expiresAt was fixed at sign-in, and a lower SESSION_MAX_HOURS set since
  // applies to sessions already open.
  if (t >= session.expiresAt.getTime() || t - session.createdAt.getTime() >= limits.maxMs) {
    return 'expired'
  }
  if (t - session.lastSeenAt.getTime() > limits.idleMs) return 'idle'
  return 'live'
}

/**
 * last_seen_at is written at most this often: a write per page view buys nothing, and idle
 * expiry counted in minutes (SESSION_IDLE_MINUTES ≥ 1) cannot be out by more than one.
 */
export const SESSION_TOUCH_EVERY_MS = 60_000

/** Whether a request at `now` should record activity on the session. */
export function shouldTouch(session: Pick<NewWebSession, 'lastSeenAt'>, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_EVERY_MS
}
