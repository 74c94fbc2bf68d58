import { eq } from 'drizzle-orm'
import type { SnapshotSource } from '../../../core/ports.js'
import type { OpenDb } from '../database.js'
import { hostnames, mtaStsPolicies } from '../schema.js'

export function snapshotSource({ db, sqlite }: OpenDb): SnapshotSource {
  return {
    async servedPolicies() {
      return db
        .select({
          hostname: hostnames.name,
          domainId: hostnames.domainId,
          text: mtaStsPolicies.text,
        })
        .from(hostnames)
        .innerJoin(mtaStsPolicies, eq(mtaStsPolicies.domainId, hostnames.domainId))
        .where(eq(hostnames.role, 'policy'))
        .all()
    },
    async changeMarker() {
      // PRAGMA data_version changes when another connection (CLI, second instance) commits.
      return sqlite.pragma('data_version', { simple: true }) as number
    },
  }
}
