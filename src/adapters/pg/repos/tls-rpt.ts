import { eq } from 'drizzle-orm'
import type { TlsRptRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { tlsRpt } from '../schema.js'

export function tlsRptRepo(db: PgDb): TlsRptRepo {
  return {
    async get(domainId) {
      const [row] = await db.select().from(tlsRpt).where(eq(tlsRpt.domainId, domainId))
      return row ?? null
    },
    async put(settings, audit) {
      await db.transaction(async (tx) => {
        // An upsert, so two puts at once both succeed and the later commit is kept.
        await tx
          .insert(tlsRpt)
          .values(settings)
          .onConflictDoUpdate({ target: tlsRpt.domainId, set: settings })
        await writeAudit(tx, audit)
      })
    },
    async remove(domainId, audit) {
      await db.transaction(async (tx) => {
        await tx.delete(tlsRpt).where(eq(tlsRpt.domainId, domainId))
        await writeAudit(tx, audit)
      })
    },
  }
}
