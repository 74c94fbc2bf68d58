import { and, eq, inArray } from 'drizzle-orm'
import type { SnapshotSource } from '../../../core/ports.js'
import type { Db, OpenDb } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies } from '../schema.js'

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
        certSerial: certificates.serial,
      })
      .from(hostnames)
      .innerJoin(domains, eq(domains.id, hostnames.domainId))
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
      const rows = hostRows(db).all()
      if (extra.length === 0) return rows
      const serials = new Map(
        db
          .select({ hostname: certificates.hostname, serial: certificates.serial })
          .from(certificates)
          .where(inArray(certificates.hostname, extra))
          .all()
          .map((r) => [r.hostname, r.serial]),
      )
      return [
        ...rows,
        ...extra.map((h) => ({
          hostname: h,
          role: null,
          domain: null,
          domainId: null,
          text: null,
          certSerial: serials.get(h) ?? null,
        })),
      ]
    },
    async hostsOfDomain(domainId) {
      return hostRows(db).where(eq(hostnames.domainId, domainId)).all()
    },
    async changeMarker() {
      // PRAGMA data_version changes when another connection (CLI, second instance) commits.
      return sqlite.pragma('data_version', { simple: true }) as number
    },
  }
}
