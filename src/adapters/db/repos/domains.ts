import { and, asc, eq, lte, sql } from 'drizzle-orm'
import type { Domain, DomainRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies, policyVersions } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

export function domainRepo(db: Db): DomainRepo {
  return {
    async create(domain, names, audit) {
      conflictOnUnique(`domain "${domain.name}" is already registered`, () =>
        db.transaction((tx) => {
          tx.insert(domains).values(domain).run()
          if (names.length > 0) {
            tx.insert(hostnames).values(names).run()
            // Queue each new hostname for its first certificate (issue at once).
            const at = domain.createdAt
            tx.insert(certificates)
              .values(
                names.map((h) => ({
                  hostname: h.name,
                  status: 'pending' as const,
                  dueAt: at,
                  updatedAt: at,
                })),
              )
              .onConflictDoNothing()
              .run()
          }
          writeAudit(tx, audit)
        }),
      )
    },
    async byName(name) {
      return (db.select().from(domains).where(eq(domains.name, name)).get() as Domain) ?? null
    },
    async list(tenantId) {
      const q = db.select().from(domains)
      const rows =
        tenantId === null
          ? q.orderBy(asc(domains.name)).all()
          : q.where(eq(domains.tenantId, tenantId)).orderBy(asc(domains.name)).all()
      return rows as Domain[]
    },
    async hostnames(domainId) {
      return db.select().from(hostnames).where(eq(hostnames.domainId, domainId)).all()
    },
    async retire(domain, nonePolicy, audit) {
      db.transaction((tx) => {
        tx.update(domains)
          .set({ status: 'retiring', retiredAt: domain.retiredAt, removeAt: domain.removeAt })
          .where(eq(domains.id, domain.id))
          .run()
        tx.insert(mtaStsPolicies)
          .values(nonePolicy)
          .onConflictDoUpdate({ target: mtaStsPolicies.domainId, set: nonePolicy })
          .run()
        tx.insert(policyVersions)
          .values({
            domainId: nonePolicy.domainId,
            policyId: nonePolicy.policyId,
            text: nonePolicy.text,
            firstServedAt: nonePolicy.updatedAt,
          })
          .onConflictDoNothing()
          .run()
        writeAudit(tx, audit)
      })
    },
    async remove(domainId, audit) {
      db.transaction((tx) => {
        tx.delete(domains).where(eq(domains.id, domainId)).run()
        // Logos are shared by hash; drop the ones no domain publishes any more.
        tx.run(sql`delete from logos where sha256 not in (select sha256 from domain_logos)`)
        writeAudit(tx, audit)
      })
    },
    async dueForRemoval(now) {
      return db
        .select()
        .from(domains)
        .where(and(eq(domains.status, 'retiring'), lte(domains.removeAt, now)))
        .all() as Domain[]
    },
  }
}
