import { and, asc, desc, eq, gt, isNotNull, lte, sql } from 'drizzle-orm'
import type { AlertRepo, AlertTarget, StoredContact } from '../../../core/alerts/alert-ports.js'
import type { OpenDb } from '../database.js'
import { alertContacts, alertCursor, alertDeliveries, findingEvents, webhooks } from '../schema.js'

const contactColumns = {
  id: alertContacts.id,
  tenantId: alertContacts.tenantId,
  email: alertContacts.email,
  confirmedAt: alertContacts.confirmedAt,
  createdAt: alertContacts.createdAt,
}

type Targets = { webhookId: string; contactId?: never } | { contactId: string; webhookId?: never }

const CURSOR_ROW = 1

/** The alerts' store in SQLite (core/alerts/alert-ports.ts has the contract). */
export function alertRepo({ db }: OpenDb): AlertRepo {
  /** A tenant's webhooks with their secrets, in creation order. */
  const hooksOf = (tenantId: string) =>
    db
      .select({
        id: webhooks.id,
        tenantId: webhooks.tenantId,
        url: webhooks.url,
        secret: webhooks.secret,
        createdAt: webhooks.createdAt,
      })
      .from(webhooks)
      .where(eq(webhooks.tenantId, tenantId))
      .orderBy(asc(webhooks.createdAt), asc(webhooks.id))
      .all()
  return {
    async addWebhook(w) {
      db.insert(webhooks).values(w).run()
    },
    async webhooks(tenantId) {
      // The same rows as webhookTargets, the secret left out: it is for signing, not showing.
      return hooksOf(tenantId).map(({ secret: _secret, ...hook }) => hook)
    },
    async webhookTargets(tenantId) {
      return hooksOf(tenantId)
    },
    async removeWebhook(tenantId, id) {
      const r = db
        .delete(webhooks)
        .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)))
        .run()
      return r.changes > 0
    },
    async addContact(c) {
      db.insert(alertContacts).values(c).run()
    },
    async contacts(tenantId): Promise<StoredContact[]> {
      return db
        .select(contactColumns)
        .from(alertContacts)
        .where(eq(alertContacts.tenantId, tenantId))
        .orderBy(asc(alertContacts.createdAt), asc(alertContacts.id))
        .all()
    },
    async contact(tenantId, id) {
      const row = db
        .select({
          ...contactColumns,
          confirmHash: alertContacts.confirmHash,
          confirmAttempts: alertContacts.confirmAttempts,
        })
        .from(alertContacts)
        .where(and(eq(alertContacts.tenantId, tenantId), eq(alertContacts.id, id)))
        .get()
      return row ?? null
    },
    async countConfirmAttempt(id) {
      const row = db
        .update(alertContacts)
        .set({ confirmAttempts: sql`${alertContacts.confirmAttempts} + 1` })
        .where(eq(alertContacts.id, id))
        .returning({ n: alertContacts.confirmAttempts })
        .get()
      return row?.n ?? 0
    },
    async confirmContact(id, at) {
      db.update(alertContacts)
        .set({ confirmedAt: at, confirmHash: null })
        .where(eq(alertContacts.id, id))
        .run()
    },
    async removeContact(tenantId, id) {
      const r = db
        .delete(alertContacts)
        .where(and(eq(alertContacts.tenantId, tenantId), eq(alertContacts.id, id)))
        .run()
      return r.changes > 0
    },
    async enqueue(now, newId, limit) {
      return db.transaction((tx) => {
        const cursor =
          tx
            .select({ e: alertCursor.eventId })
            .from(alertCursor)
            .where(eq(alertCursor.id, CURSOR_ROW))
            .get()?.e ?? 0
        const events = tx
          .select({ id: findingEvents.id, tenantId: findingEvents.tenantId })
          .from(findingEvents)
          .where(gt(findingEvents.id, cursor))
          .orderBy(asc(findingEvents.id))
          .limit(limit)
          .all()
        if (events.length === 0) return 0
        let queued = 0
        const targets = new Map<string, Targets[]>()
        for (const e of events) {
          let list = targets.get(e.tenantId)
          if (list === undefined) {
            const hooks = tx
              .select({ id: webhooks.id })
              .from(webhooks)
              .where(eq(webhooks.tenantId, e.tenantId))
              .all()
            const mails = tx
              .select({ id: alertContacts.id })
              .from(alertContacts)
              .where(
                and(eq(alertContacts.tenantId, e.tenantId), isNotNull(alertContacts.confirmedAt)),
              )
              .all()
            list = [
              ...hooks.map((h) => ({ webhookId: h.id })),
              ...mails.map((c) => ({ contactId: c.id })),
            ]
            targets.set(e.tenantId, list)
          }
          for (const target of list) {
            tx.insert(alertDeliveries)
              .values({
                id: newId(),
                webhookId: target.webhookId ?? null,
                contactId: target.contactId ?? null,
                eventId: e.id,
                status: 'pending',
                attempts: 0,
                nextAttemptAt: now,
                createdAt: now,
                updatedAt: now,
              })
              .run()
            queued++
          }
        }
        const last = events[events.length - 1]!.id
        tx.insert(alertCursor)
          .values({ id: CURSOR_ROW, eventId: last })
          .onConflictDoUpdate({ target: alertCursor.id, set: { eventId: last } })
          .run()
        return queued
      })
    },
    async due(now, limit) {
      return db
        .select({ d: alertDeliveries, w: webhooks, c: alertContacts, e: findingEvents })
        .from(alertDeliveries)
        .leftJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
        .leftJoin(alertContacts, eq(alertContacts.id, alertDeliveries.contactId))
        .innerJoin(findingEvents, eq(findingEvents.id, alertDeliveries.eventId))
        .where(
          and(
            eq(alertDeliveries.status, 'pending'),
            isNotNull(alertDeliveries.nextAttemptAt),
            lte(alertDeliveries.nextAttemptAt, now),
          ),
        )
        .orderBy(asc(alertDeliveries.nextAttemptAt), asc(alertDeliveries.createdAt))
        .limit(limit)
        .all()
        .flatMap(({ d, w, c, e }) => {
          // The cascade removes a target's deliveries with it; a row without one is not sent.
          const target: AlertTarget | null = w
            ? { channel: 'webhook', id: w.id, url: w.url, secret: w.secret }
            : c
              ? { channel: 'mail', id: c.id, email: c.email }
              : null
          if (target === null) return []
          return [
            {
              id: d.id,
              target,
              attempts: d.attempts,
              event: {
                id: e.id,
                tenantId: e.tenantId,
                domain: e.domain,
                change: e.change,
                key: e.key,
                kind: e.kind,
                severity: e.severity,
                message: e.message,
                at: e.at,
              },
            },
          ]
        })
    },
    async settle(id, outcome, now) {
      db.update(alertDeliveries)
        .set({ ...outcome, updatedAt: now })
        .where(eq(alertDeliveries.id, id))
        .run()
    },
    async deliveries(tenantId, target, limit) {
      const own =
        'webhookId' in target
          ? db
              .select({ d: alertDeliveries })
              .from(alertDeliveries)
              .innerJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
              .where(
                and(
                  eq(webhooks.tenantId, tenantId),
                  eq(alertDeliveries.webhookId, target.webhookId),
                ),
              )
          : db
              .select({ d: alertDeliveries })
              .from(alertDeliveries)
              .innerJoin(alertContacts, eq(alertContacts.id, alertDeliveries.contactId))
              .where(
                and(
                  eq(alertContacts.tenantId, tenantId),
                  eq(alertDeliveries.contactId, target.contactId),
                ),
              )
      return own
        .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
        .limit(limit)
        .all()
        .map(({ d }) => d)
    },
  }
}
