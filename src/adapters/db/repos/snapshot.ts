import { eq, inArray, isNotNull, and } from 'drizzle-orm'
import type { SnapshotSource } from '../../../core/ports.js'
import type { OpenDb } from '../database.js'
import { certificates, hostnames, mtaStsPolicies } from '../schema.js'

export function snapshotSource({ db, sqlite }: OpenDb): SnapshotSource {
  return {
    async hosts(extra) {
      const rows = db
        .select({
          hostname: hostnames.name,
          text: mtaStsPolicies.text,
          certSerial: certificates.serial,
        })
        .from(hostnames)
        .leftJoin(mtaStsPolicies, eq(mtaStsPolicies.domainId, hostnames.domainId))
        .leftJoin(certificates, eq(certificates.hostname, hostnames.name))
        .all()
      if (extra.length === 0) return rows
      const own = db
        .select({ hostname: certificates.hostname, certSerial: certificates.serial })
        .from(certificates)
        .where(and(inArray(certificates.hostname, extra), isNotNull(certificates.serial)))
        .all()
      return [...rows, ...own.map((r) => ({ ...r, text: null }))]
    },
    async changeMarker() {
      // PRAGMA data_version changes when another connection (CLI, second instance) commits.
      return sqlite.pragma('data_version', { simple: true }) as number
    },
  }
}
