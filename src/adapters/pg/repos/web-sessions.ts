import { eq, lt, lte, or } from 'drizzle-orm'
import type { SessionRepo, StoredWebSession } from '../../../core/web-sessions.js'
import type { PgDb } from '../database.js'
import { apiTokens, webSessions } from '../schema.js'

/** Dashboard sessions in PostgreSQL (core/web-sessions.ts has the contract). */
export function webSessionRepo(db: PgDb): SessionRepo {
  return {
    async create(session) {
      await db.insert(webSessions).values(session)
    },
    async get(id): Promise<StoredWebSession | null> {
      // One statement: a revocation committed before it started is seen (READ COMMITTED).
      const [row] = await db
        .select({
          id: webSessions.id,
          tokenId: webSessions.tokenId,
          csrf: webSessions.csrf,
          createdAt: webSessions.createdAt,
          lastSeenAt: webSessions.lastSeenAt,
          expiresAt: webSessions.expiresAt,
          tenantId: apiTokens.tenantId,
          revokedAt: apiTokens.revokedAt,
        })
        .from(webSessions)
        .innerJoin(apiTokens, eq(apiTokens.id, webSessions.tokenId))
        .where(eq(webSessions.id, id))
      if (!row) return null
      const { tenantId, revokedAt, ...session } = row
      return { ...session, token: { tenantId, revokedAt } }
    },
    async touch(id, lastSeenAt) {
      // An UPDATE, never an upsert: racing a remove, it finds no row and writes nothing.
      await db.update(webSessions).set({ lastSeenAt }).where(eq(webSessions.id, id))
    },
    async remove(id) {
      const gone = await db.delete(webSessions).where(eq(webSessions.id, id))
      return (gone.rowCount ?? 0) > 0
    },
    async removeForToken(tokenId) {
      const gone = await db.delete(webSessions).where(eq(webSessions.tokenId, tokenId))
      return gone.rowCount ?? 0
    },
    async removeExpired(now, idleSince) {
      const expired = lte(webSessions.expiresAt, now)
      const where = idleSince ? or(expired, lt(webSessions.lastSeenAt, idleSince)) : expired
      const gone = await db.delete(webSessions).where(where)
      return gone.rowCount ?? 0
    },
  }
}
