import { and, eq, gt } from 'drizzle-orm'
import type { ChallengeStore } from '../../../core/certs/types.js'
import type { Db } from '../database.js'
import { acmeChallenges } from '../schema.js'

/** HTTP-01 challenges in SQLite, so a restarted or second instance answers the CA too. */
export function challengeStore(db: Db): ChallengeStore {
  return {
    async put(token, keyAuthorization, expiresAt) {
      db.insert(acmeChallenges)
        .values({ token, keyAuthorization, expiresAt })
        .onConflictDoUpdate({ target: acmeChallenges.token, set: { keyAuthorization, expiresAt } })
        .run()
    },
    async get(token, now) {
      const row = db
        .select({ k: acmeChallenges.keyAuthorization })
        .from(acmeChallenges)
        .where(and(eq(acmeChallenges.token, token), gt(acmeChallenges.expiresAt, now)))
        .get()
      return row?.k ?? null
    },
    async remove(token) {
      db.delete(acmeChallenges).where(eq(acmeChallenges.token, token)).run()
    },
  }
}
