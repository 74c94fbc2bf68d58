/** `webhook add|list|remove|deliveries`: a tenant's alert webhooks (issue 13), as the API has them. */
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { DeliveryRow } from '../core/alerts/alert-ports.js'
import { LOCAL_TENANT } from '../core/tenant-name.js'
import type { Runtime } from '../main.js'
import {
  addWebhook,
  listWebhooks,
  removeWebhook,
  webhookDeliveries,
  WebhookIn,
} from '../services/alerts/webhooks.js'
import { flag, str, type OptionValues } from './command.js'
import { escapeText, fields, iso, json, out, parse, table } from './output.js'
import { tenantIdByName } from './tenants.js'

export const tenantOf = (rt: Runtime, o: OptionValues) =>
  tenantIdByName(rt, str(o, 'tenant') ?? LOCAL_TENANT)

/** Prints the signing secret once, as the API does. */
export async function webhookAdd(rt: Runtime, url: string, o: OptionValues): Promise<number> {
  const w = await addWebhook(
    rt.deps,
    SYSTEM_ACTOR,
    parse(WebhookIn, { url }),
    await tenantOf(rt, o),
  )
  const v = { id: w.id, url: w.url, createdAt: w.createdAt.toISOString(), secret: w.secret }
  if (flag(o, 'json')) json(v)
  else
    fields([
      ['id', v.id],
      ['url', escapeText(v.url)],
      ['secret (shown once)', v.secret],
    ])
  return 0
}

export async function webhookList(rt: Runtime, o: OptionValues): Promise<number> {
  const hooks = await listWebhooks(rt.deps, SYSTEM_ACTOR, await tenantOf(rt, o))
  const rows = hooks.map((w) => ({ id: w.id, url: w.url, createdAt: w.createdAt.toISOString() }))
  if (flag(o, 'json')) json({ webhooks: rows })
  else
    table(
      ['id', 'url', 'created'],
      rows.map((w) => [w.id, escapeText(w.url), w.createdAt]),
    )
  return 0
}

export async function webhookRemove(rt: Runtime, id: string, o: OptionValues): Promise<number> {
  await removeWebhook(rt.deps, SYSTEM_ACTOR, id, await tenantOf(rt, o))
  out(`removed webhook ${escapeText(id)}`)
  return 0
}

export async function webhookDeliveryLog(
  rt: Runtime,
  id: string,
  o: OptionValues,
): Promise<number> {
  const rows = await webhookDeliveries(rt.deps, SYSTEM_ACTOR, id, {
    limit: limitOf(o),
    tenantId: await tenantOf(rt, o),
  })
  printDeliveries(rows, o)
  return 0
}

/** A delivery log, as a table or (--json) the API's shape. */
export function printDeliveries(rows: DeliveryRow[], o: OptionValues): void {
  if (flag(o, 'json')) {
    json({
      deliveries: rows.map((d) => ({
        ...d,
        nextAttemptAt: iso(d.nextAttemptAt),
        createdAt: d.createdAt.toISOString(),
        updatedAt: d.updatedAt.toISOString(),
      })),
    })
    return
  }
  table(
    ['id', 'event', 'status', 'attempts', 'next attempt', 'last answer'],
    rows.map((d) => [
      d.id,
      d.eventId,
      d.status,
      d.attempts,
      iso(d.nextAttemptAt),
      // The relay's or receiver's words: shown escaped, like all outside text.
      escapeText(d.lastReason ?? String(d.lastStatus ?? '')),
    ]),
  )
}

/** `--limit N`, 1-200, default 50. */
export function limitOf(o: OptionValues): number {
  const limit = Number(str(o, 'limit') ?? '50')
  return Number.isInteger(limit) && limit >= 1 && limit <= 200 ? limit : 50
}
