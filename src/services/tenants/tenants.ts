import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { Tenant } from '../../core/ports.js'
import { TenantName } from '../../core/tenant-name.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { requireOperator } from '../scope.js'
import { mintToken } from '../auth/token-secret.js'

export const TenantInput = z.object({ name: TenantName }).strict()
export type TenantInput = z.infer<typeof TenantInput>

export interface CreatedTenant extends Tenant {
  /** The tenant's first API token, shown only here. */
  token: string
  /** The first token's id, to list, rotate or revoke it later. */
  tokenId: string
}

/** Operator only: creates a tenant with a first token (CONFLICT when the name is taken). */
export async function createTenant(
  deps: ServiceDeps,
  actor: Actor,
  input: TenantInput,
): Promise<CreatedTenant> {
  requireOperator(actor)
  const tenant: Tenant = { id: deps.newId(), name: input.name, createdAt: deps.clock.now() }
  const { secret, record } = mintToken(deps, tenant.id, 'initial', tenant.createdAt)
  await deps.repos.tenants.create(
    tenant,
    record,
    auditOf(deps, actor, 'tenant.create', tenant.name, { tokenId: record.id }, tenant.id),
  )
  deps.log.info('tenant_created', { tenantId: tenant.id, name: tenant.name })
  return { ...tenant, token: secret, tokenId: record.id }
}

/** Operator only: every tenant. */
export async function listTenants(deps: ServiceDeps, actor: Actor): Promise<Tenant[]> {
  requireOperator(actor)
  return deps.repos.tenants.list()
}

/** Operator only: the tenant of that name (case-insensitive); NOT_FOUND when there is none. */
export async function tenantByName(deps: ServiceDeps, actor: Actor, name: string): Promise<Tenant> {
  requireOperator(actor)
  const tenant = await deps.repos.tenants.byName(name)
  if (!tenant) throw new DomainError('NOT_FOUND', `tenant "${name}" not found`)
  return tenant
}

/** Finds a tenant by name, creating it without a token when absent (for `policies/` sync). */
export async function ensureTenant(deps: ServiceDeps, actor: Actor, name: string): Promise<Tenant> {
  requireOperator(actor)
  const existing = await deps.repos.tenants.byName(name)
  if (existing) return existing
  const tenant: Tenant = { id: deps.newId(), name, createdAt: deps.clock.now() }
  await deps.repos.tenants.create(
    tenant,
    null,
    auditOf(deps, actor, 'tenant.create', name, {}, tenant.id),
  )
  return tenant
}
