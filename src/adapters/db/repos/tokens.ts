import { and, asc, eq, gt, isNull, ne, or } from 'drizzle-orm'
import type { ApiToken, TokenRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { apiTokens } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

const publicFields = {
  id: apiTokens.id,
  tenantId: apiTokens.tenantId,
  label: apiTokens.label,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
}

export function tokenRepo(db: Db): TokenRepo {
  return {
    async create(token, audit) {
      conflictOnUnique('token already exists', () =>
        db.transaction((tx) => {
          tx.insert(apiTokens).values(token).run()
          writeAudit(tx, audit)
        }),
      )
    },
    async byHash(sha256) {
      const row = db
        .select({ ...publicFields, sha256: apiTokens.sha256 })
        .from(apiTokens)
        .where(eq(apiTokens.sha256, sha256))
        .get()
      return row ?? null
    },
    async byId(id): Promise<ApiToken | null> {
      return db.select(publicFields).from(apiTokens).where(eq(apiTokens.id, id)).get() ?? null
    },
    async list(tenantId, after, limit) {
      const scope =
        tenantId === undefined
          ? undefined
          : tenantId === null
            ? isNull(apiTokens.tenantId)
            : eq(apiTokens.tenantId, tenantId)
      // Keyset: strictly after the cursor's (created, id) in (created, id) order.
      const afterCursor = after
        ? or(
            gt(apiTokens.createdAt, new Date(after.at)),
            and(eq(apiTokens.createdAt, new Date(after.at)), gt(apiTokens.id, after.id)),
          )
        : undefined
      return db
        .select(publicFields)
        .from(apiTokens)
        .where(and(scope, afterCursor))
        .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
        .limit(limit)
        .all()
    },
    async touch(id, at) {
      db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run()
    },
    async revoke(id, at, audit) {
      db.transaction((tx) => {
        tx.update(apiTokens)
          .set({ revokedAt: at })
          .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
          .run()
        writeAudit(tx, audit)
      })
    },
    async rotate(id, at, next, audit) {
      return conflictOnUnique('token already exists', () =>
        db.transaction((tx) => {
          const revoked = tx
            .update(apiTokens)
            .set({ revokedAt: at })
            .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
            .run()
          if (revoked.changes === 0) return false
          tx.insert(apiTokens).values(next).run()
          writeAudit(tx, audit)
          return true
        }),
      )
    },
    async replaceEnvOperator(token, audit) {
      return db.transaction((tx) => {
        const live = tx
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(eq(apiTokens.sha256, token.sha256), isNull(apiTokens.revokedAt)))
          .get()
        const stale = tx
          .update(apiTokens)
          .set({ revokedAt: token.createdAt })
          .where(
            and(
              eq(apiTokens.fromEnv, true),
              isNull(apiTokens.revokedAt),
              ne(apiTokens.sha256, token.sha256),
            ),
          )
          .run()
        if (live && stale.changes === 0) return false
        if (!live) {
          // A revoked row with the same hash would block the insert: a revoked secret stays dead.
          const dead = tx
            .select({ id: apiTokens.id })
            .from(apiTokens)
            .where(eq(apiTokens.sha256, token.sha256))
            .get()
          if (dead) throw new Error('ADMIN_TOKEN was revoked; set a new value')
          tx.insert(apiTokens)
            .values({ ...token, fromEnv: true })
            .run()
        }
        writeAudit(tx, audit)
        return true
      })
    },
  }
}
