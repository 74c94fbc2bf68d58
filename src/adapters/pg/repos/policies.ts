import { desc, eq, sql } from 'drizzle-orm'
import type { PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { domains, mtaStsPolicies, policyVersions } from '../schema.js'

export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/**
 * Serves `policy` from now on and records it as a version (kept if the id is known), inside the
 * caller's transaction; the domains repo uses it too (retire, restore). Both writes are upserts,
 * so two transactions putting at once serialise on the rows instead of failing.
 */
export async function putPolicy(tx: PgTx, policy: StoredPolicy): Promise<void> {
  await tx
    .insert(mtaStsPolicies)
    .values(policy)
    .onConflictDoUpdate({ target: mtaStsPolicies.domainId, set: policy })
  await tx
    .insert(policyVersions)
    .values({
      domainId: policy.domainId,
      policyId: policy.policyId,
      text: policy.text,
      firstServedAt: policy.updatedAt,
    })
    .onConflictDoNothing()
}

/**
 * RFC 8461 §8.3: removal waits for the longest max_age ever served, so keep the high mark. One
 * UPDATE computing from the row it locks: concurrent puts cannot lose each other's mark.
 */
export async function raiseMaxAgeHigh(tx: PgTx, domainId: string, maxAge: number): Promise<void> {
  await tx
    .update(domains)
    .set({ maxAgeHigh: sql`greatest(coalesce(${domains.maxAgeHigh}, 0), ${maxAge})` })
    .where(eq(domains.id, domainId))
}

export function policyRepo(db: PgDb): PolicyRepo {
  return {
    async get(domainId) {
      const [row] = await db
        .select()
        .from(mtaStsPolicies)
        .where(eq(mtaStsPolicies.domainId, domainId))
      return row ?? null
    },
    async versions(domainId) {
      return (
        db
          .select({ policyId: policyVersions.policyId, text: policyVersions.text })
          .from(policyVersions)
          .where(eq(policyVersions.domainId, domainId))
          // Ties broken in byte order, as SQLite does, whatever the database's collation.
          .orderBy(
            desc(policyVersions.firstServedAt),
            sql`${policyVersions.policyId} collate "C" desc`,
          )
      )
    },
    async put(policy, audit) {
      await db.transaction(async (tx) => {
        await putPolicy(tx, policy)
        if (policy.mode !== 'none') await raiseMaxAgeHigh(tx, policy.domainId, policy.maxAge)
        await writeAudit(tx, audit)
      })
    },
  }
}
