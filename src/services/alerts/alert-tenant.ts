/**
 * Whose alert settings (webhooks, contacts) an actor manages: a tenant its own; the operator
 * names the tenant. Also the per-tenant limit on alerts sent on request (test alerts,
 * confirmation codes): each is traffic to an address the tenant chose.
 */
import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../deps.js'

export async function alertTenant(
  deps: ServiceDeps,
  actor: Actor,
  tenantId?: string,
): Promise<string> {
  if (actor.kind === 'tenant') return actor.tenantId
  if (tenantId === undefined || !(await deps.repos.tenants.byId(tenantId))) {
    throw new DomainError('VALIDATION', 'invalid request', [
      { path: 'tenantId', message: 'the operator names the tenant (an existing tenant id)' },
    ])
  }
  return tenantId
}

/** RATE_LIMITED past the tenant's share of requested alerts this hour. */
export function takeRequestedAlert(deps: ServiceDeps, tenantId: string): void {
  if (!deps.requestedAlerts.take(tenantId, deps.clock.now().getTime())) {
    throw new DomainError(
      'RATE_LIMITED',
      'too many test alerts and confirmation codes this hour; try again later',
      [],
      { retryAfterSeconds: 3600 },
    )
  }
}
