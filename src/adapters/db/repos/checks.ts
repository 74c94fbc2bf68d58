import { and, desc, eq, lt } from 'drizzle-orm'
import type { CheckRepo, FindingEvent } from '../../../core/checks/check-ports.js'
import { compareFindings, type CheckKind, type Finding } from '../../../core/checks/findings.js'
import type { OpenDb } from '../database.js'
import { checkRuns, domainFindings, findingEvents } from '../schema.js'

/** The checker's store in SQLite (core/checks/check-ports.ts has the contract). */
export function checkRepo({ db, sqlite }: OpenDb): CheckRepo {
  // Every run stamps `sts-record` (it always runs or is skipped), so its row is the domain's
  // last check; the join is one primary-key lookup per domain.
  const due = sqlite.prepare(
    `select d.id from domains d
       left join check_runs r on r.domain_id = d.id and r.kind = 'sts-record'
      where d.status <> 'pending' and (r.ran_at is null or r.ran_at < ?)
      order by coalesce(r.ran_at, 0), d.id limit ?`,
  )
  const live = sqlite.prepare(`select count(*) from domains where status <> 'pending'`)
  return {
    async due(before, limit) {
      return (due.raw().all(before.getTime(), limit) as [string][]).map((r) => r[0])
    },
    async liveCount() {
      return (live.raw().get() as [number])[0]
    },
    async record(run) {
      return db.transaction((tx) => {
        const stored = tx
          .select()
          .from(domainFindings)
          .where(eq(domainFindings.domainId, run.domainId))
          .all()
        const before: Finding[] = stored.map((r) => ({
          kind: r.kind as CheckKind,
          key: r.key,
          severity: r.severity,
          message: r.message,
        }))
        const opened = new Map(stored.map((r) => [r.key, r.openedAt]))
        const { current, changes } = compareFindings(before, new Set(run.ran), run.found)
        tx.delete(domainFindings).where(eq(domainFindings.domainId, run.domainId)).run()
        if (current.length > 0) {
          tx.insert(domainFindings)
            .values(
              current.map((f) => ({
                domainId: run.domainId,
                ...f,
                openedAt: opened.get(f.key) ?? run.at,
              })),
            )
            .run()
        }
        for (const c of changes) {
          tx.insert(findingEvents)
            .values({
              tenantId: run.tenantId,
              domainId: run.domainId,
              domain: run.domain,
              change: c.change,
              key: c.finding.key,
              kind: c.finding.kind,
              severity: c.finding.severity,
              message: c.finding.message,
              at: run.at,
            })
            .run()
        }
        const stamps = [
          ...run.ran.map((kind) => ({ kind, skipped: null as string | null })),
          ...run.skipped.map(({ kind, reason }) => ({ kind, skipped: reason })),
        ]
        for (const { kind, skipped } of stamps) {
          tx.insert(checkRuns)
            .values({ domainId: run.domainId, kind, ranAt: run.at, skipped })
            .onConflictDoUpdate({
              target: [checkRuns.domainId, checkRuns.kind],
              set: { ranAt: run.at, skipped },
            })
            .run()
        }
        return changes
      })
    },
    async state(domainId) {
      const findings = db
        .select()
        .from(domainFindings)
        .where(eq(domainFindings.domainId, domainId))
        .orderBy(domainFindings.key)
        .all()
        .map((r) => ({
          kind: r.kind as CheckKind,
          key: r.key,
          severity: r.severity,
          message: r.message,
          openedAt: r.openedAt,
        }))
      const runs = db
        .select()
        .from(checkRuns)
        .where(eq(checkRuns.domainId, domainId))
        .orderBy(checkRuns.kind)
        .all()
        .map((r) => ({ kind: r.kind as CheckKind, ranAt: r.ranAt, skipped: r.skipped }))
      return { findings, runs }
    },
    async history(domainId, limit, before) {
      const where =
        before === undefined
          ? eq(findingEvents.domainId, domainId)
          : and(eq(findingEvents.domainId, domainId), lt(findingEvents.id, before))
      return db
        .select()
        .from(findingEvents)
        .where(where)
        .orderBy(desc(findingEvents.id))
        .limit(limit)
        .all()
        .map((r): FindingEvent => ({
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
