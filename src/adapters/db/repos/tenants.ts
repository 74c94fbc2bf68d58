import { asc, eq } from 'drizzle-orm'
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
      return db.select().from(tenants).where(eq(tenants.name, name)).get() ?? null
    },
  }
}
