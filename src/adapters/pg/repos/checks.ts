import { and, desc, eq, lt, sql } from 'drizzle-orm'
import type { CheckRepo, FindingEvent } from '../../../core/checks/check-ports.js'
import { compareFindings, type CheckKind, type Finding } from '../../../core/checks/findings.js'
import type { PgDb } from '../database.js'
import { LOCK_KEYS } from '../lock-keys.js'
import { withoutNul } from '../nul.js'
import { checkRuns, domainFindings, domains, findingEvents } from '../schema.js'

/**
 * Held from the first finding event a transaction inserts until it commits (lock-keys.ts). finding_events is the alerts' outbox, read past a cursor
 * (pg/repos/alerts.ts); a sequence hands out ids before commit, so without this an id could
 * commit after a larger one the cursor had already passed, and its alert would never go.
 */
const EVENT_ORDER_LOCK = sql.raw(String(LOCK_KEYS.eventOrder))

/** The checker's store in PostgreSQL (core/checks/check-ports.ts has the contract). */
export function checkRepo(db: PgDb): CheckRepo {
  return {
    async due(before, limit) {
      // Every run stamps `sts-record` (it always runs or is skipped), so its row is the domain's
      // last check; the join is one primary-key lookup per domain. Ties in byte order, as SQLite.
      const r = await db.execute<{ id: string }>(sql`
        SELECT d.id FROM ${domains} d
          LEFT JOIN ${checkRuns} r ON r.domain_id = d.id AND r.kind = 'sts-record'
         WHERE d.status <> 'pending' AND (r.ran_at IS NULL OR r.ran_at < ${before.getTime()})
         ORDER BY coalesce(r.ran_at, 0), d.id COLLATE "C"
         LIMIT ${limit}`)
      return r.rows.map((row) => row.id)
    },
    async liveCount() {
      const [row] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(domains)
        .where(sql`${domains.status} <> 'pending'`)
      return row?.n ?? 0
    },
    async record(checked) {
      // Finding messages quote what servers said (banners, records): no NUL on PostgreSQL.
      const run = withoutNul(checked)
      return db.transaction(async (tx) => {
        // Two runs of one domain at once must not both report a change (the contract): the
        // domain row's lock makes the second read what the first wrote. It is taken even
        // before the domain's first finding exists, which a lock on domain_findings would not
        // be; NO KEY UPDATE lets other rows referencing the domain be written meanwhile.
        await tx.execute(
          sql`SELECT 1 FROM ${domains} WHERE ${domains.id} = ${run.domainId} FOR NO KEY UPDATE`,
        )
        const stored = await tx
          .select()
          .from(domainFindings)
          .where(eq(domainFindings.domainId, run.domainId))
        const before: Finding[] = stored.map((r) => ({
          kind: r.kind as CheckKind,
          key: r.key,
          severity: r.severity,
          message: r.message,
        }))
        const opened = new Map(stored.map((r) => [r.key, r.openedAt]))
        const { current, changes } = compareFindings(before, new Set(run.ran), run.found)
        await tx.delete(domainFindings).where(eq(domainFindings.domainId, run.domainId))
        if (current.length > 0) {
          await tx.insert(domainFindings).values(
            current.map((f) => ({
              domainId: run.domainId,
              ...f,
              openedAt: opened.get(f.key) ?? run.at,
            })),
          )
        }
        if (changes.length > 0) {
          await tx.execute(sql`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`)
          // One statement: the rows take their ids in this order, as SQLite's inserts did.
          await tx.insert(findingEvents).values(
            changes.map((c) => ({
              tenantId: run.tenantId,
              domainId: run.domainId,
              domain: run.domain,
              change: c.change,
              key: c.finding.key,
              kind: c.finding.kind,
              severity: c.finding.severity,
              message: c.finding.message,
              at: run.at,
            })),
          )
        }
        // One row per kind (a kind both ran and skipped: the later entry wins, as SQLite's
        // successive upserts do); one statement may not update a row twice.
        const stamps = new Map<CheckKind, string | null>([
          ...run.ran.map((kind): [CheckKind, null] => [kind, null]),
          ...run.skipped.map(({ kind, reason }): [CheckKind, string] => [kind, reason]),
        ])
        if (stamps.size > 0) {
          await tx
            .insert(checkRuns)
            .values(
              [...stamps].map(([kind, skipped]) => ({
                domainId: run.domainId,
                kind,
                ranAt: run.at,
                skipped,
              })),
            )
            .onConflictDoUpdate({
              target: [checkRuns.domainId, checkRuns.kind],
              set: { ranAt: sql`excluded.ran_at`, skipped: sql`excluded.skipped` },
            })
        }
        return changes
      })
    },
    async state(domainId) {
      const findings = await db
        .select()
        .from(domainFindings)
        .where(eq(domainFindings.domainId, domainId))
        .orderBy(sql`${domainFindings.key} COLLATE "C"`)
      const runs = await db
        .select()
        .from(checkRuns)
        .where(eq(checkRuns.domainId, domainId))
        .orderBy(sql`${checkRuns.kind} COLLATE "C"`)
      return {
        findings: findings.map((r) => ({
          kind: r.kind as CheckKind,
          key: r.key,
          severity: r.severity,
          message: r.message,
          openedAt: r.openedAt,
        })),
        runs: runs.map((r) => ({ kind: r.kind as CheckKind, ranAt: r.ranAt, skipped: r.skipped })),
      }
    },
    async history(domainId, limit, before) {
      const where =
        before === undefined
          ? eq(findingEvents.domainId, domainId)
          : and(eq(findingEvents.domainId, domainId), lt(findingEvents.id, before))
      const rows = await db
        .select()
        .from(findingEvents)
        .where(where)
        .orderBy(desc(findingEvents.id))
        .limit(limit)
      return rows.map((r): FindingEvent => ({
        id: r.id,
        domainId: r.domainId,
        domain: r.domain,
        change: r.change,
        key: r.key,
        kind: r.kind as CheckKind,
        severity: r.severity,
        message: r.message,
        at: r.at,
      }))
    },
  }
}
