import { and, asc, desc, eq, gt, isNotNull, lte } from 'drizzle-orm'
import type { AlertRepo } from '../../../core/alerts/alert-ports.js'
import type { OpenDb } from '../database.js'
import { alertCursor, alertDeliveries, findingEvents, webhooks } from '../schema.js'

const CURSOR_ROW = 1

/** The alerts' store in SQLite (core/alerts/alert-ports.ts has the contract). */
export function alertRepo({ db }: OpenDb): AlertRepo {
  return {
    async addWebhook(w) {
      db.insert(webhooks).values(w).run()
    },
    async webhooks(tenantId) {
      return db
        .select({
          id: webhooks.id,
          tenantId: webhooks.tenantId,
          url: webhooks.url,
          createdAt: webhooks.createdAt,
        })
        .from(webhooks)
        .where(eq(webhooks.tenantId, tenantId))
        .orderBy(asc(webhooks.createdAt), asc(webhooks.id))
        .all()
    },
    async removeWebhook(tenantId, id) {
      const r = db
        .delete(webhooks)
        .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)))
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
        const hooks = new Map<string, string[]>()
        for (const e of events) {
          let ids = hooks.get(e.tenantId)
          if (ids === undefined) {
            ids = tx
              .select({ id: webhooks.id })
              .from(webhooks)
              .where(eq(webhooks.tenantId, e.tenantId))
              .all()
              .map((h) => h.id)
            hooks.set(e.tenantId, ids)
          }
          for (const webhookId of ids) {
            tx.insert(alertDeliveries)
              .values({
                id: newId(),
                webhookId,
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
        .select({ d: alertDeliveries, w: webhooks, e: findingEvents })
        .from(alertDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
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
        .map(({ d, w, e }) => ({
          id: d.id,
          webhookId: w.id,
          url: w.url,
          secret: w.secret,
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
        }))
    },
    async settle(id, outcome, now) {
      db.update(alertDeliveries)
        .set({ ...outcome, updatedAt: now })
        .where(eq(alertDeliveries.id, id))
        .run()
    },
    async deliveries(tenantId, webhookId, limit) {
      return db
        .select({ d: alertDeliveries })
        .from(alertDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
        .where(and(eq(webhooks.tenantId, tenantId), eq(alertDeliveries.webhookId, webhookId)))
        .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
        .limit(limit)
        .all()
        .map(({ d }) => d)
    },
  }
}
