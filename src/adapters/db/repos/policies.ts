import { desc, eq, getTableColumns, sql } from 'drizzle-orm'
import type { PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { domains, mtaStsPolicies, policyVersions } from '../schema.js'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * Serves `policy` from now on and records it as a version (kept if the id is known), inside the
 * caller's transaction; the domains repo uses it too (retire, restore).
 */
export function putPolicy(tx: Tx, policy: StoredPolicy): number {
  const row = tx
    .insert(mtaStsPolicies)
    .values({ ...policy, revision: 1 })
    .onConflictDoUpdate({
      target: mtaStsPolicies.domainId,
      set: { ...policy, revision: sql`${mtaStsPolicies.revision} + 1` },
    })
    .returning({ revision: mtaStsPolicies.revision })
    .get()
  tx.insert(policyVersions)
    .values({
      domainId: policy.domainId,
      policyId: policy.policyId,
      text: policy.text,
      firstServedAt: policy.updatedAt,
    })
    .onConflictDoNothing()
    .run()
  return row.revision
}

export function policyRepo(db: Db): PolicyRepo {
  const { revision: _, ...stored } = getTableColumns(mtaStsPolicies)
  return {
    async get(domainId) {
      const row = db
        .select(stored)
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
    async put(policy, audit, announcement) {
      // SQLite's feed reaches other processes through data_version, never through the write.
      if (announcement) throw new Error('the SQLite store cannot announce a write')
      return db.transaction((tx) => {
        const stored = tx
          .select({ text: mtaStsPolicies.text })
          .from(mtaStsPolicies)
          .where(eq(mtaStsPolicies.domainId, policy.domainId))
          .get()
        if (stored?.text === policy.text) return null
        const revision = putPolicy(tx, policy)
        if (policy.mode !== 'none') {
          // RFC 8461 §8.3: removal waits for the longest max_age ever served, so keep the high mark.
          tx.update(domains)
            .set({ maxAgeHigh: sql`max(coalesce(${domains.maxAgeHigh}, 0), ${policy.maxAge})` })
            .where(eq(domains.id, policy.domainId))
            .run()
        }
        writeAudit(tx, audit)
        return revision
      })
    },
  }
}
