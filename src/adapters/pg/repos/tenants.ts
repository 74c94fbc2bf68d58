import { asc, eq, sql } from 'drizzle-orm'
import type { TenantRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { apiTokens, tenants } from '../schema.js'
import { conflictOnUnique } from '../unique.js'

export function tenantRepo(db: PgDb): TenantRepo {
  return {
    async create(tenant, firstToken, audit) {
      await conflictOnUnique(`tenant "${tenant.name}" already exists`, () =>
        db.transaction(async (tx) => {
          await tx.insert(tenants).values(tenant)
          if (firstToken) await tx.insert(apiTokens).values(firstToken)
          await writeAudit(tx, audit)
        }),
      )
    },
    async list() {
      return db.select().from(tenants).orderBy(asc(tenants.name))
    },
    async byId(id) {
      const [row] = await db.select().from(tenants).where(eq(tenants.id, id))
      return row ?? null
    },
    async byName(name) {
      // tenants_name_ci (lower(name)) makes names unique case-insensitively; it serves this too.
      const [row] = await db
        .select()
        .from(tenants)
        .where(sql`lower(${tenants.name}) = lower(${name})`)
      return row ?? null
    },
  }
}
