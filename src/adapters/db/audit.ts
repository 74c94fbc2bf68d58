import type { AuditEntry } from '../../core/ports.js'
import type { Db } from './database.js'
import { auditLog } from './schema.js'

/** Appends one audit row; called inside the caller's transaction. */
export function writeAudit(tx: Pick<Db, 'insert'>, entry: AuditEntry): void {
  tx.insert(auditLog)
    .values({
      at: entry.at,
      tenantId: entry.tenantId,
      actorTokenId: entry.actorTokenId,
      action: entry.action,
      subject: entry.subject,
      detail: entry.detail ?? null,
    })
    .run()
}
