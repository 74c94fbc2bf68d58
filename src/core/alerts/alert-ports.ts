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

/** How one delivery attempt went, by webhook (`status`: HTTP) or mail (`status`: SMTP reply). */
export type DeliveryResult =
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
  send(delivery: WebhookDelivery): Promise<DeliveryResult>
}

/** One alert mail: plain text, to one confirmed contact (or a confirmation code to a new one). */
export interface AlertMail {
  to: string
  subject: string
  text: string
  /** Stable per alert and contact across retries (the Message-ID is made from it). */
  deliveryId: string
}

/**
 * Delivers mail through the operator's relay (SMTP_URL); never rejects. A 5xx reply is final
 * (`retryable: false`); connection trouble, timeouts and 4xx replies are worth another attempt.
 */
export interface MailSender {
  send(mail: AlertMail): Promise<DeliveryResult>
}

/** A tenant's webhook as stored; the secret is shown once, at creation. */
export interface StoredWebhook {
  id: string
  tenantId: string
  url: string
  createdAt: Date
}

/** A tenant's mail contact; alerts go only to confirmed ones (the code proves the mailbox). */
export interface StoredContact {
  id: string
  tenantId: string
  email: string
  confirmedAt: Date | null
  createdAt: Date
}

/** Where one delivery goes: a webhook or a confirmed mail contact. */
export type AlertTarget =
  | { channel: 'webhook'; id: string; url: string; secret: string }
  | { channel: 'mail'; id: string; email: string }

/** A finding event to deliver to one target, with what the attempt needs. */
export interface PendingDelivery {
  id: string
  target: AlertTarget
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
  /** Exactly one of the two is set: the webhook's or the contact's delivery. */
  webhookId: string | null
  contactId: string | null
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
 *   pending delivery per webhook and per *confirmed* contact of the event's tenant and moves the
 *   cursor, in one transaction: an event is queued once, even with several dispatchers (the
 *   second sees the moved cursor). A contact confirmed later gets later events only.
 * - **A delivery is settled by id**: delivered, failed for good, or pending again with its next
 *   attempt time; a delivery of a removed webhook or contact goes with it.
 * - **A contact's confirmation** is compared by the caller (constant time, attempts counted
 *   here first, so a guesser is stopped by the count whatever the outcome); `confirmContact`
 *   clears the stored hash, so a code works once.
 */
export interface AlertRepo {
  addWebhook(webhook: StoredWebhook & { secret: string }): Promise<void>
  webhooks(tenantId: string): Promise<StoredWebhook[]>
  /** The tenant's webhooks with their secrets: for sending only, never for showing. */
  webhookTargets(tenantId: string): Promise<(StoredWebhook & { secret: string })[]>
  /** Removes the tenant's webhook; false when it has none with that id. */
  removeWebhook(tenantId: string, id: string): Promise<boolean>
  addContact(contact: StoredContact & { confirmHash: string }): Promise<void>
  contacts(tenantId: string): Promise<StoredContact[]>
  /** The contact with its confirmation hash (null once confirmed) and failed attempts so far. */
  contact(
    tenantId: string,
    id: string,
  ): Promise<(StoredContact & { confirmHash: string | null; confirmAttempts: number }) | null>
  /** Counts one confirmation attempt; returns the count after it. */
  countConfirmAttempt(id: string): Promise<number>
  confirmContact(id: string, at: Date): Promise<void>
  /** Removes the tenant's contact; false when it has none with that id. */
  removeContact(tenantId: string, id: string): Promise<boolean>
  enqueue(now: Date, newId: () => string, limit: number): Promise<number>
  /**
   * Pending deliveries whose next attempt is due, oldest first. A store shared by instances
   * (PostgreSQL) also claims them: their next attempt moves 30 minutes ahead until `settle`
   * records the outcome, so two instances never send one delivery at once, and a claimer that
   * dies hands them back after that. A caller settles every delivery it was given.
   */
  due(now: Date, limit: number): Promise<PendingDelivery[]>
  settle(
    id: string,
    outcome: Pick<
      DeliveryRow,
      'status' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastReason'
    >,
    now: Date,
  ): Promise<void>
  /** A webhook's or a contact's deliveries, newest first (the tenant's delivery log). */
  deliveries(
    tenantId: string,
    target: { webhookId: string } | { contactId: string },
    limit: number,
  ): Promise<DeliveryRow[]>
}
