import { and, desc, eq, lt } from 'drizzle-orm'
import type { CheckRepo, FindingEvent } from '../../../core/checks/check-ports.js'
import { compareFindings, type CheckKind, type Finding } from '../../../core/checks/findings.js'
import type { OpenDb } from '../database.js'
import { checkRuns, domainFindings, findingEvents } from '../schema.js'

/** The checker's store in SQLite (core/checks/check-ports.ts has the contract). */
export function checkRepo({ db }: OpenDb): CheckRepo {
  return {
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
