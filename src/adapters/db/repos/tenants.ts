import { asc, eq, sql } from 'drizzle-orm'
import type { TenantRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { apiTokens, tenants } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

export function tenantRepo(db: Db): TenantRepo {
  return {
    async create(tenant, firstToken, audit) {
      conflictOnUnique(`tenant "${tenant.name}" already exists`, () =>
        db.transaction((tx) => {
          tx.insert(tenants).values(tenant).run()
          if (firstToken) tx.insert(apiTokens).values(firstToken).run()
          writeAudit(tx, audit)
        }),
      )
    },
    async list() {
      return db.select().from(tenants).orderBy(asc(tenants.name)).all()
    },
    async byId(id) {
      return db.select().from(tenants).where(eq(tenants.id, id)).get() ?? null
    },
    async byName(name) {
      // tenants_name_ci (lower(name)) makes names unique case-insensitively; it serves this too.
      const row = db
        .select()
        .from(tenants)
        .where(sql`lower(${tenants.name}) = lower(${name})`)
        .get()
      return row ?? null
    },
  }
}
