import { and, eq, gt } from 'drizzle-orm'
import type { ChallengeStore } from '../../../core/certs/types.js'
import type { PgDb } from '../database.js'
import { acmeChallenges } from '../schema.js'

/** HTTP-01 challenges in PostgreSQL, so a restarted or another instance answers the CA too. */
export function challengeStore(db: PgDb): ChallengeStore {
  return {
    async put(token, keyAuthorization, expiresAt) {
      // An upsert, so a retried order (or two instances putting one token) never fails.
      await db
        .insert(acmeChallenges)
        .values({ token, keyAuthorization, expiresAt })
        .onConflictDoUpdate({ target: acmeChallenges.token, set: { keyAuthorization, expiresAt } })
    },
    async get(token, now) {
      const [row] = await db
        .select({ k: acmeChallenges.keyAuthorization })
        .from(acmeChallenges)
        .where(and(eq(acmeChallenges.token, token), gt(acmeChallenges.expiresAt, now)))
      return row?.k ?? null
    },
    async remove(token) {
      await db.delete(acmeChallenges).where(eq(acmeChallenges.token, token))
    },
  }
}
