import { eq } from 'drizzle-orm'
import type { PublishLookups } from '../changes/publishing-repos.js'
import type { Db } from './database.js'
import { domains, hostnames } from './schema.js'

/** The change events' two reads on SQLite (changes/publishing-repos.ts). */
export function sqliteLookups(db: Db): PublishLookups {
  return {
    async nameOf(domainId) {
      const row = db
        .select({ name: domains.name })
        .from(domains)
        .where(eq(domains.id, domainId))
        .get()
      return row?.name ?? ''
    },
    async hostOwner(hostname) {
      const row = db
        .select({ domainId: hostnames.domainId })
        .from(hostnames)
        .where(eq(hostnames.name, hostname))
        .get()
      return row?.domainId ?? null
    },
  }
}
