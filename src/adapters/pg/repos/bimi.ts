import { and, eq, like, ne } from 'drizzle-orm'
import type { BimiAssertion, BimiRepo, StoredLogo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { bimiAssertions, certificates, domainLogos, domains, hostnames, logos } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

const toLogo = (row: typeof logos.$inferSelect): StoredLogo => ({
  ...row,
  svg: new Uint8Array(row.svg),
})

/** BIMI assertions, logos (bytea, byte for byte) and logo hosts in PostgreSQL. */
export function bimiRepo(db: PgDb): BimiRepo {
  return {
    async list(domainId) {
      return db.select().from(bimiAssertions).where(eq(bimiAssertions.domainId, domainId))
    },
    async get(domainId, selector) {
      const [row] = await db
        .select()
        .from(bimiAssertions)
        .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
      return row ?? null
    },
    async putLogo(assertion, logo, audit) {
      await db.transaction(async (tx) => {
        // DO NOTHING: the logo is content-addressed, so a concurrent upload of the same bytes
        // (another domain, another instance) has stored exactly this row already.
        await tx
          .insert(logos)
          .values({ ...logo, svg: Buffer.from(logo.svg) })
          .onConflictDoNothing()
        await tx
          .insert(domainLogos)
          .values({ domainId: assertion.domainId, sha256: logo.sha256, createdAt: logo.createdAt })
          .onConflictDoNothing()
        await upsert(tx, assertion)
        await writeAudit(tx, audit)
      })
    },
    async putCertificate(assertion, audit) {
      await db.transaction(async (tx) => {
        await upsert(tx, assertion)
        await writeAudit(tx, audit)
      })
    },
    async remove(domainId, selector, audit) {
      await db.transaction(async (tx) => {
        await tx
          .delete(bimiAssertions)
          .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
        await writeAudit(tx, audit)
      })
    },
    async logo(sha256) {
      const [row] = await db.select().from(logos).where(eq(logos.sha256, sha256))
      return row ? toLogo(row) : null
    },
    async domainLogoByPrefix(domainName, prefix) {
      // The prefix is lower-case hex (logo-serving's pattern), as the stored hashes are, so
      // PostgreSQL's case-sensitive LIKE matches what SQLite's case-insensitive one does.
      const [row] = await db
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
        .limit(1)
      return row ? toLogo(row.logo) : null
    },
    async assertionByName(domainName, selector) {
      const [row] = await db
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
      return row?.a ?? null
    },
    async addLogoHost(domainId, hostname, at, audit) {
      await conflictOnUnique(`hostname "${hostname}" is already in use`, () =>
        db.transaction(async (tx) => {
          await tx.insert(hostnames).values({ name: hostname, domainId, role: 'logo' })
          await tx
            .insert(certificates)
            .values({ hostname, status: 'pending', dueAt: at, updatedAt: at })
            .onConflictDoNothing()
          await writeAudit(tx, audit)
        }),
      )
    },
    async removeLogoHost(hostname, audit) {
      await db.transaction(async (tx) => {
        await tx
          .delete(hostnames)
          .where(and(eq(hostnames.name, hostname), eq(hostnames.role, 'logo')))
        await writeAudit(tx, audit)
      })
    },
  }
}

async function upsert(tx: Pick<PgDb, 'insert'>, a: BimiAssertion): Promise<void> {
  await tx
    .insert(bimiAssertions)
    .values(a)
    .onConflictDoUpdate({ target: [bimiAssertions.domainId, bimiAssertions.selector], set: a })
}
