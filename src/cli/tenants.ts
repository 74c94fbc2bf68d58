import { SYSTEM_ACTOR } from '../core/actor.js'
import { LOCAL_TENANT } from '../core/tenant-name.js'
import type { Runtime } from '../main.js'
import {
  createTenant,
  ensureTenant,
  listTenants,
  tenantByName,
  TenantInput,
} from '../services/tenants/tenants.js'
import { json, parse, table } from './output.js'

/** The id of the tenant named `name`; `local` is created when absent (as `sync` does). */
export async function tenantIdByName(rt: Runtime, name: string): Promise<string> {
  if (name === LOCAL_TENANT) return (await ensureTenant(rt.deps, SYSTEM_ACTOR, name)).id
  return (await tenantByName(rt.deps, SYSTEM_ACTOR, name)).id
}

/** Tenant ids to names, for listings. */
export async function tenantNames(rt: Runtime): Promise<Map<string, string>> {
  return new Map((await listTenants(rt.deps, SYSTEM_ACTOR)).map((t) => [t.id, t.name]))
}

/** `tenant create NAME`: the tenant and its first token, as JSON (the token only here). */
export async function tenantCreate(rt: Runtime, name: string): Promise<number> {
  json(await createTenant(rt.deps, SYSTEM_ACTOR, parse(TenantInput, { name })))
  return 0
}

/** `tenant list [--json]`. */
export async function tenantList(rt: Runtime, asJson: boolean): Promise<number> {
  const rows = (await listTenants(rt.deps, SYSTEM_ACTOR)).map((t) => ({
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
  }))
  if (asJson) json(rows)
  else
    table(
      ['name', 'id', 'created'],
      rows.map((r) => [r.name, r.id, r.createdAt]),
    )
  return 0
}
