import { eq } from 'drizzle-orm'
import type { TlsRptRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { tlsRpt } from '../schema.js'

export function tlsRptRepo(db: Db): TlsRptRepo {
  return {
    async get(domainId) {
      return db.select().from(tlsRpt).where(eq(tlsRpt.domainId, domainId)).get() ?? null
    },
    async put(settings, audit) {
      db.transaction((tx) => {
        tx.insert(tlsRpt)
          .values(settings)
          .onConflictDoUpdate({ target: tlsRpt.domainId, set: settings })
          .run()
        writeAudit(tx, audit)
      })
    },
    async remove(domainId, audit) {
      db.transaction((tx) => {
        tx.delete(tlsRpt).where(eq(tlsRpt.domainId, domainId)).run()
        writeAudit(tx, audit)
      })
    },
  }
}
