import { desc, eq, sql } from 'drizzle-orm'
import type { PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { domains, mtaStsPolicies, policyVersions } from '../schema.js'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * Serves `policy` from now on and records it as a version (kept if the id is known), inside the
 * caller's transaction; the domains repo uses it too (retire, restore).
 */
export function putPolicy(tx: Tx, policy: StoredPolicy): void {
  tx.insert(mtaStsPolicies)
    .values(policy)
    .onConflictDoUpdate({ target: mtaStsPolicies.domainId, set: policy })
    .run()
  tx.insert(policyVersions)
    .values({
      domainId: policy.domainId,
      policyId: policy.policyId,
      text: policy.text,
      firstServedAt: policy.updatedAt,
    })
    .onConflictDoNothing()
    .run()
}

export function policyRepo(db: Db): PolicyRepo {
  return {
    async get(domainId) {
      const row = db
        .select()
        .from(mtaStsPolicies)
        .where(eq(mtaStsPolicies.domainId, domainId))
        .get()
      return (row as StoredPolicy | undefined) ?? null
    },
    async versions(domainId) {
      return db
        .select({ policyId: policyVersions.policyId, text: policyVersions.text })
        .from(policyVersions)
        .where(eq(policyVersions.domainId, domainId))
        .orderBy(desc(policyVersions.firstServedAt), desc(policyVersions.policyId))
        .all()
    },
    async put(policy, audit) {
      db.transaction((tx) => {
        putPolicy(tx, policy)
        if (policy.mode !== 'none') {
          // RFC 8461 §8.3: removal waits for the longest max_age ever served, so keep the high mark.
          tx.update(domains)
            .set({ maxAgeHigh: sql`max(coalesce(${domains.maxAgeHigh}, 0), ${policy.maxAge})` })
            .where(eq(domains.id, policy.domainId))
            .run()
        }
        writeAudit(tx, audit)
      })
    },
  }
}
