import type { AuditEntry } from '../../core/ports.js'
import type { PgDb } from './database.js'
import { auditLog } from './schema.js'

/** Appends one audit row; called inside the caller's transaction. */
export async function writeAudit(tx: Pick<PgDb, 'insert'>, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    at: entry.at,
    tenantId: entry.tenantId,
    actorTokenId: entry.actorTokenId,
    action: entry.action,
    subject: entry.subject,
    detail: entry.detail ?? null,
  })
}
