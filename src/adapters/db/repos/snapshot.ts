import { and, eq, inArray, ne } from 'drizzle-orm'
import type { HostnameRole, ServedHost, SnapshotSource } from '../../../core/ports.js'
import { extraHostRow } from '../../../core/served-host.js'
import type { Db, OpenDb } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies } from '../schema.js'

/** The columns hostRows() selects, in order, as better-sqlite3 returns them raw. */
type RawHost = [string, HostnameRole, string, string, string | null, number | null, string | null]

/** Every served hostname with its role, domain, policy text (policy hosts only) and serial. */
function hostRows(db: Db) {
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

export function snapshotSource({ db, sqlite }: OpenDb): SnapshotSource {
  return {
    async hosts(extra) {
      const serials = new Map(
        extra.length === 0
          ? []
          : db
              .select({ hostname: certificates.hostname, serial: certificates.serial })
              .from(certificates)
              .where(inArray(certificates.hostname, extra))
              .all()
              .map((r) => [r.hostname, r.serial]),
      )
      // Built by drizzle, run by better-sqlite3 row by row: no 100k-element array in between.
      // Lazy: the statement starts (and holds the connection) only while the caller iterates.
      const query = hostRows(db).toSQL()
      return (function* (): Generator<ServedHost> {
        const rows = sqlite
          .prepare(query.sql)
          .raw()
          .iterate(...query.params)
        for (const [
          hostname,
          role,
          domain,
          domainId,
          text,
          revision,
          certSerial,
        ] of rows as Iterable<RawHost>)
          yield { hostname, role, domain, domainId, text, revision, certSerial }
        for (const h of extra) yield extraHostRow(h, serials.get(h) ?? null)
      })()
    },
    async hostsOfDomain(domainId) {
      return hostRows(db).where(eq(hostnames.domainId, domainId)).all()
    },
  }
}
