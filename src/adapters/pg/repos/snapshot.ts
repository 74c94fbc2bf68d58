import { and, asc, eq, gt, inArray, ne, sql } from 'drizzle-orm'
import type { ServedHost, SnapshotSource } from '../../../core/ports.js'
import { extraHostRow } from '../../../core/served-host.js'
import type { OpenPg, PgDb } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies } from '../schema.js'

/**
 * Hosts read per query: 100k hosts take 50 round trips (~1 ms each on a LAN), while a page of
 * rows stays around a megabyte.
 */
export const HOST_PAGE = 2000

/** Every served hostname with its role, domain, policy text (policy hosts only) and serial. */
function hostRows(db: Pick<PgDb, 'select'>) {
  return (
    db
      .select({
        hostname: hostnames.name,
        role: hostnames.role,
        domain: domains.name,
        domainId: domains.id,
        text: mtaStsPolicies.text,
        revision: mtaStsPolicies.revision,
        certSerial: certificates.serial,
      })
      .from(hostnames)
      // A pending claim has no hostnames; the status check keeps it unserved even if it did.
      .innerJoin(domains, and(eq(domains.id, hostnames.domainId), ne(domains.status, 'pending')))
      // Only a policy host serves the policy; a logo host of the same domain never does.
      .leftJoin(
        mtaStsPolicies,
        and(eq(mtaStsPolicies.domainId, hostnames.domainId), eq(hostnames.role, 'policy')),
      )
      .leftJoin(certificates, eq(certificates.hostname, hostnames.name))
      .$dynamic()
  )
}

/** The snapshot's reads from PostgreSQL; `pageSize` is for tests (default HOST_PAGE). */
export function snapshotSource(
  { db }: OpenPg,
  { pageSize = HOST_PAGE }: { pageSize?: number } = {},
): SnapshotSource {
  // Every instance runs this on every domain change: prepared once per connection.
  const ofDomain = hostRows(db)
    .where(eq(hostnames.domainId, sql.placeholder('domainId')))
    .prepare('snapshot_hosts_of_domain')
  return {
    async hosts(extra) {
      // Keyset pages by hostname, all in one read-only REPEATABLE READ transaction: one
      // consistent view, as SQLite's single statement gives, however long the paging takes.
      // Paged in the column's own collation (the primary key's order, so each page is an index
      // range scan); the order of hosts does not matter to the snapshot, only that it is total.
      const { pages, serials } = await db.transaction(
        async (tx) => {
          const pages: ServedHost[][] = []
          let last: string | null = null
          for (;;) {
            const page: ServedHost[] = await hostRows(tx)
              .where(last === null ? undefined : gt(hostnames.name, last))
              .orderBy(asc(hostnames.name))
              .limit(pageSize)
            if (page.length > 0) pages.push(page)
            if (page.length < pageSize) break
            last = page[page.length - 1]!.hostname
          }
          const serials =
            extra.length === 0
              ? []
              : await tx
                  .select({ hostname: certificates.hostname, serial: certificates.serial })
                  .from(certificates)
                  .where(inArray(certificates.hostname, extra))
          return { pages, serials }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      )
      const serialOf = new Map(serials.map((r) => [r.hostname, r.serial]))
      // The port's Iterable is synchronous, so every page is read before the caller iterates;
      // each page is let go once yielded, so the rows and the caller's new snapshot are not
      // both held whole (an AsyncIterable port would let the pages be read as it goes).
      return (function* (): Generator<ServedHost> {
        for (let page = pages.shift(); page; page = pages.shift()) yield* page
        for (const h of extra) yield extraHostRow(h, serialOf.get(h) ?? null)
      })()
    },
    async hostsOfDomain(domainId) {
      return ofDomain.execute({ domainId })
    },
  }
}
