import { and, asc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm'
import type { ApiToken, TokenRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { LOCK_KEYS } from '../lock-keys.js'
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

/**
 * Serialises replaceEnvOperator across instances starting at once (transaction-scoped, so it
 * is released on commit or rollback; lock-keys.ts).
 */
const ENV_OPERATOR_LOCK = sql`SELECT pg_advisory_xact_lock(${sql.raw(String(LOCK_KEYS.envOperator))})`

/** API tokens in PostgreSQL (the contract is TokenRepo in core/ports.ts). */
export function tokenRepo(db: PgDb): TokenRepo {
  // Every API request authenticates: prepared once per connection (no parse and plan each time).
  const ofHash = db
    .select({ ...publicFields, sha256: apiTokens.sha256 })
    .from(apiTokens)
    .where(eq(apiTokens.sha256, sql.placeholder('sha256')))
    .prepare('tokens_by_hash')
  return {
    async create(token, audit) {
      await conflictOnUnique('token already exists', () =>
        db.transaction(async (tx) => {
          await tx.insert(apiTokens).values(token)
          await writeAudit(tx, audit)
        }),
      )
    },
    async byHash(sha256) {
      const [row] = await ofHash.execute({ sha256 })
      return row ?? null
    },
    async byId(id): Promise<ApiToken | null> {
      const [row] = await db.select(publicFields).from(apiTokens).where(eq(apiTokens.id, id))
      return row ?? null
    },
    async list(tenantId, after, limit) {
      const scope =
        tenantId === undefined
          ? undefined
          : tenantId === null
            ? isNull(apiTokens.tenantId)
            : eq(apiTokens.tenantId, tenantId)
      // Keyset: strictly after the cursor's (created, id) in (created, id) order. Ids compare
      // bytewise (COLLATE "C"), as in SQLite, whatever the database's collation.
      const afterCursor = after
        ? or(
            gt(apiTokens.createdAt, new Date(after.at)),
            and(
              eq(apiTokens.createdAt, new Date(after.at)),
              sql`${apiTokens.id} COLLATE "C" > ${after.id}`,
            ),
          )
        : undefined
      return db
        .select(publicFields)
        .from(apiTokens)
        .where(and(scope, afterCursor))
        .orderBy(asc(apiTokens.createdAt), sql`${apiTokens.id} COLLATE "C"`)
        .limit(limit)
    },
    async touch(id, at) {
      await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id))
    },
    async revoke(id, at, audit) {
      await db.transaction(async (tx) => {
        await tx
          .update(apiTokens)
          .set({ revokedAt: at })
          .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        await writeAudit(tx, audit)
      })
    },
    async rotate(id, at, next, audit) {
      return conflictOnUnique('token already exists', () =>
        db.transaction(async (tx) => {
          // The conditional UPDATE is the guard: a second rotation waits on the row lock, then
          // re-reads the committed row, finds it revoked and changes nothing.
          const revoked = await tx
            .update(apiTokens)
            .set({ revokedAt: at })
            .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
            .returning({ id: apiTokens.id })
          if (revoked.length === 0) return false
          await tx.insert(apiTokens).values(next)
          await writeAudit(tx, audit)
          return true
        }),
      )
    },
    async replaceEnvOperator(token, audit) {
      return db.transaction(async (tx) => {
        // Two instances starting together would both find no live row and both insert (one
        // failing on the unique hash), or with different secrets each keep its own live. Under
        // the lock they take turns, and READ COMMITTED lets each statement below see the
        // earlier one's commit: the second finds the work done and returns false.
        await tx.execute(ENV_OPERATOR_LOCK)
        const [live] = await tx
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(eq(apiTokens.sha256, token.sha256), isNull(apiTokens.revokedAt)))
        const stale = await tx
          .update(apiTokens)
          .set({ revokedAt: token.createdAt })
          .where(
            and(
              eq(apiTokens.fromEnv, true),
              isNull(apiTokens.revokedAt),
              ne(apiTokens.sha256, token.sha256),
            ),
          )
          .returning({ id: apiTokens.id })
        if (live && stale.length === 0) return false
        if (!live) {
          // A revoked row with the same hash would block the insert: a revoked secret stays dead.
          const [dead] = await tx
            .select({ id: apiTokens.id })
            .from(apiTokens)
            .where(eq(apiTokens.sha256, token.sha256))
          if (dead) throw new Error('ADMIN_TOKEN was revoked; set a new value')
          await tx.insert(apiTokens).values({ ...token, fromEnv: true })
        }
        await writeAudit(tx, audit)
        return true
      })
    },
  }
}
