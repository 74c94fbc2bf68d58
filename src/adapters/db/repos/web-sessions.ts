import { eq, lt, lte, or } from 'drizzle-orm'
import type { SessionRepo, StoredWebSession } from '../../../core/web-sessions.js'
import type { Db } from '../database.js'
import { apiTokens, webSessions } from '../schema.js'

/** Dashboard sessions in SQLite (core/web-sessions.ts has the contract). */
export function webSessionRepo(db: Db): SessionRepo {
  return {
    async create(session) {
      db.insert(webSessions).values(session).run()
    },
    async get(id): Promise<StoredWebSession | null> {
      const row = db
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
        .get()
      if (!row) return null
      const { tenantId, revokedAt, ...session } = row
      return { ...session, token: { tenantId, revokedAt } }
    },
    async touch(id, lastSeenAt) {
      db.update(webSessions).set({ lastSeenAt }).where(eq(webSessions.id, id)).run()
    },
    async remove(id) {
      return db.delete(webSessions).where(eq(webSessions.id, id)).run().changes > 0
    },
    async removeForToken(tokenId) {
      return db.delete(webSessions).where(eq(webSessions.tokenId, tokenId)).run().changes
    },
    async removeExpired(now, idleSince) {
      const expired = lte(webSessions.expiresAt, now)
      const where = idleSince ? or(expired, lt(webSessions.lastSeenAt, idleSince)) : expired
      return db.delete(webSessions).where(where).run().changes
    },
  }
}
