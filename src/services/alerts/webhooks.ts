/**
 * A tenant's webhooks for alerts (issue 13): add (the signing secret is shown once), list,
 * remove, and read a webhook's delivery log.
 */
import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import type { DeliveryRow, StoredWebhook } from '../../core/alerts/alert-ports.js'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../deps.js'
import { alertTenant } from './alert-tenant.js'

/** Webhooks one tenant may have: each alert is one request per webhook. */
export const WEBHOOKS_PER_TENANT = 10

export const WebhookIn = z
  .object({
    url: z
      .string()
      .max(2048)
      .url()
      .refine((u) => /^https:\/\//i.test(u) || /^http:\/\//i.test(u), 'must be an https: URL')
      .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'must not carry credentials'),
  })
  .strict()
export type WebhookIn = z.infer<typeof WebhookIn>

export async function addWebhook(
  deps: ServiceDeps,
  actor: Actor,
  input: WebhookIn,
  tenant?: string,
): Promise<StoredWebhook & { secret: string }> {
  const tenantId = await alertTenant(deps, actor, tenant)
  // http: only where the operator allows private targets (WEBHOOK_ALLOW_PRIVATE: labs, tests).
  if (!deps.webhooks.allowPrivate && !/^https:\/\//i.test(input.url)) {
    throw new DomainError('VALIDATION', 'invalid request', [
      { path: 'url', message: 'must be an https: URL' },
    ])
  }
  if ((await deps.repos.alerts.webhooks(tenantId)).length >= WEBHOOKS_PER_TENANT) {
    throw new DomainError('CONFLICT', `a tenant has at most ${WEBHOOKS_PER_TENANT} webhooks`)
  }
  const webhook = {
    id: deps.newId(),
    tenantId,
    url: input.url,
    secret: deps.newSecret(),
    createdAt: deps.clock.now(),
  }
  await deps.repos.alerts.addWebhook(webhook)
  return webhook
}

export async function listWebhooks(
  deps: ServiceDeps,
  actor: Actor,
  tenantId?: string,
): Promise<StoredWebhook[]> {
  return deps.repos.alerts.webhooks(await alertTenant(deps, actor, tenantId))
}

/** NOT_FOUND for another tenant's webhook, so ids cannot be probed. */
async function ownWebhook(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  tenantId?: string,
): Promise<StoredWebhook & { tenantId: string }> {
  const tenant = await alertTenant(deps, actor, tenantId)
  const hook = (await deps.repos.alerts.webhooks(tenant)).find((w) => w.id === id)
  if (!hook) throw new DomainError('NOT_FOUND', `webhook "${id}" not found`)
  return hook
}

export async function removeWebhook(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  tenantId?: string,
): Promise<void> {
  const hook = await ownWebhook(deps, actor, id, tenantId)
  await deps.repos.alerts.removeWebhook(hook.tenantId, id)
}

export async function webhookDeliveries(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  opts: { limit: number; tenantId?: string },
): Promise<DeliveryRow[]> {
  const hook = await ownWebhook(deps, actor, id, opts.tenantId)
  return deps.repos.alerts.deliveries(hook.tenantId, { webhookId: id }, opts.limit)
}
