import { and, eq, like, ne } from 'drizzle-orm'
import type { BimiAssertion, BimiRepo, StoredLogo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { bimiAssertions, certificates, domainLogos, domains, hostnames, logos } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

const toLogo = (row: typeof logos.$inferSelect): StoredLogo => ({
  ...row,
  svg: new Uint8Array(row.svg),
})

export function bimiRepo(db: Db): BimiRepo {
  return {
    async list(domainId) {
      return db.select().from(bimiAssertions).where(eq(bimiAssertions.domainId, domainId)).all()
    },
    async get(domainId, selector) {
      const row = db
        .select()
        .from(bimiAssertions)
        .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
        .get()
      return row ?? null
    },
    async putLogo(assertion, logo, audit) {
      db.transaction((tx) => {
        tx.insert(logos)
          .values({ ...logo, svg: Buffer.from(logo.svg) })
          .onConflictDoNothing()
          .run()
        tx.insert(domainLogos)
          .values({ domainId: assertion.domainId, sha256: logo.sha256, createdAt: logo.createdAt })
          .onConflictDoNothing()
          .run()
        upsert(tx, assertion)
        writeAudit(tx, audit)
      })
    },
    async putCertificate(assertion, audit) {
      db.transaction((tx) => {
        upsert(tx, assertion)
        writeAudit(tx, audit)
      })
    },
    async remove(domainId, selector, audit) {
      db.transaction((tx) => {
        tx.delete(bimiAssertions)
          .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
          .run()
        writeAudit(tx, audit)
      })
    },
    async logo(sha256) {
      const row = db.select().from(logos).where(eq(logos.sha256, sha256)).get()
      return row ? toLogo(row) : null
    },
    async domainLogoByPrefix(domainName, prefix) {
      const row = db
        .select({ logo: logos })
        .from(domainLogos)
        .innerJoin(domains, eq(domains.id, domainLogos.domainId))
        .innerJoin(logos, eq(logos.sha256, domainLogos.sha256))
        .where(
          and(
            eq(domains.name, domainName),
            // Public serving: only the live domain of a name, never a pending claim on it.
            ne(domains.status, 'pending'),
            like(domainLogos.sha256, `${prefix}%`),
          ),
        )
        .get()
      return row ? toLogo(row.logo) : null
    },
    async assertionByName(domainName, selector) {
      const row = db
        .select({ a: bimiAssertions })
        .from(bimiAssertions)
        .innerJoin(domains, eq(domains.id, bimiAssertions.domainId))
        .where(
          and(
            eq(domains.name, domainName),
            ne(domains.status, 'pending'),
            eq(bimiAssertions.selector, selector),
          ),
        )
        .get()
      return row?.a ?? null
    },
    async addLogoHost(domainId, hostname, at, audit) {
      conflictOnUnique(`hostname "${hostname}" is already in use`, () =>
        db.transaction((tx) => {
          tx.insert(hostnames).values({ name: hostname, domainId, role: 'logo' }).run()
          tx.insert(certificates)
            .values({ hostname, status: 'pending', dueAt: at, updatedAt: at })
            .onConflictDoNothing()
            .run()
          writeAudit(tx, audit)
        }),
      )
    },
    async removeLogoHost(hostname, audit) {
      db.transaction((tx) => {
        tx.delete(hostnames)
          .where(and(eq(hostnames.name, hostname), eq(hostnames.role, 'logo')))
          .run()
        writeAudit(tx, audit)
      })
    },
  }
}

function upsert(tx: Pick<Db, 'insert'>, a: BimiAssertion): void {
  tx.insert(bimiAssertions)
    .values(a)
    .onConflictDoUpdate({ target: [bimiAssertions.domainId, bimiAssertions.selector], set: a })
    .run()
}
