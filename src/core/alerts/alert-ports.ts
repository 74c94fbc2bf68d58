/**
 * Alerts (issue 13): what the dispatcher needs from the outside to deliver one alert.
 */

/** One webhook delivery attempt: a JSON body signed with the webhook's own secret. */
export interface WebhookDelivery {
  /** The tenant's endpoint (https:, or http: where the operator allows it). */
  url: string
  /** The webhook's secret: the HMAC-SHA256 key of the signature header. */
  secret: string
  /** The JSON text to POST, exactly as signed. */
  body: string
  /** Stable per alert and webhook across retries, so receivers can drop duplicates. */
  deliveryId: string
  /** When this attempt is made (the signed timestamp). */
  at: Date
}

export type WebhookResult =
  | { ok: true; status: number; ms: number }
  | {
      ok: false
      /** Short, safe to show the tenant: never the response body. */
      reason: string
      status?: number
      /** Worth another attempt later (timeouts, 5xx, 429); not for 4xx or a refused address. */
      retryable: boolean
      ms: number
    }

/** Delivers webhooks; never rejects (every failure is a result). */
export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookResult>
}

/** A tenant's webhook as stored; the secret is shown once, at creation. */
export interface StoredWebhook {
  id: string
  tenantId: string
  url: string
  createdAt: Date
}

/** A finding event to deliver to one webhook, with what the attempt needs. */
export interface PendingDelivery {
  id: string
  webhookId: string
  url: string
  secret: string
  attempts: number
  event: {
    id: number
    tenantId: string
    domain: string
    change: 'opened' | 'resolved' | 'severity'
    key: string
    kind: string
    severity: 'error' | 'warning'
    message: string
    at: Date
  }
}

export interface DeliveryRow {
  id: string
  webhookId: string
  eventId: number
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  nextAttemptAt: Date | null
  lastStatus: number | null
  lastReason: string | null
  createdAt: Date
  updatedAt: Date
}

/**
 * The alerts' store. Contract (SQLite keeps it; PostgreSQL must too):
 * - **finding_events is the outbox.** `enqueue` turns the events after the cursor into one
 *   pending delivery per webhook of the event's tenant and moves the cursor, in one transaction:
 *   an event is queued once, even with several dispatchers (the second sees the moved cursor).
 * - **A delivery is settled by id**: delivered, failed for good, or pending again with its next
 *   attempt time; a delivery of a removed webhook goes with it.
 */
export interface AlertRepo {
  addWebhook(webhook: StoredWebhook & { secret: string }): Promise<void>
  webhooks(tenantId: string): Promise<StoredWebhook[]>
  /** Removes the tenant's webhook; false when it has none with that id. */
  removeWebhook(tenantId: string, id: string): Promise<boolean>
  enqueue(now: Date, newId: () => string, limit: number): Promise<number>
  /** Pending deliveries whose next attempt is due, oldest first. */
  due(now: Date, limit: number): Promise<PendingDelivery[]>
  settle(
    id: string,
    outcome: Pick<
      DeliveryRow,
      'status' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastReason'
    >,
    now: Date,
  ): Promise<void>
  /** The webhook's deliveries, newest first (the tenant's delivery log). */
  deliveries(tenantId: string, webhookId: string, limit: number): Promise<DeliveryRow[]>
}
