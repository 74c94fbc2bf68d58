import { eq } from 'drizzle-orm'
import type { PublishLookups } from '../changes/publishing-repos.js'
import type { PgDb } from './database.js'
import { domains, hostnames } from './schema.js'

/** The change events' two reads on PostgreSQL (changes/publishing-repos.ts). */
export function pgLookups(db: PgDb): PublishLookups {
  return {
    async nameOf(domainId) {
      const [row] = await db
        .select({ name: domains.name })
        .from(domains)
        .where(eq(domains.id, domainId))
      return row?.name ?? ''
    },
    async hostOwner(hostname) {
      const [row] = await db
        .select({ domainId: hostnames.domainId })
        .from(hostnames)
        .where(eq(hostnames.name, hostname))
      return row?.domainId ?? null
    },
  }
}
