import { and, asc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm'
import type {
  AlertRepo,
  AlertTarget,
  PendingDelivery,
  StoredContact,
} from '../../../core/alerts/alert-ports.js'
import type { PgDb } from '../database.js'
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
/** Rows per delivery INSERT: 9 parameters each stays far below PostgreSQL's 65535. */
const INSERT_CHUNK = 1000
/**
 * How long `due` hands a delivery to one dispatcher before another may take it: longer than a
 * pass of the dispatcher's batch (100 deliveries, 4 at a time, each at most a webhook's 60 s or
 * a mail's few 30 s timeouts), so a delivery is sent once; a crashed instance's claims come back
 * after it. `settle` replaces it with the real next attempt.
 */
const CLAIM_MS = 30 * 60_000

/** The alerts' store in PostgreSQL (core/alerts/alert-ports.ts has the contract). */
export function alertRepo(db: PgDb): AlertRepo {
  /** A tenant's webhooks with their secrets, in creation order (ties in byte order). */
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
      .orderBy(asc(webhooks.createdAt), sql`${webhooks.id} COLLATE "C"`)
  return {
    async addWebhook(w) {
      await db.insert(webhooks).values(w)
    },
    async webhooks(tenantId) {
      // The same rows as webhookTargets, the secret left out: it is for signing, not showing.
      return (await hooksOf(tenantId)).map(({ secret: _secret, ...hook }) => hook)
    },
    async webhookTargets(tenantId) {
      return hooksOf(tenantId)
    },
    async removeWebhook(tenantId, id) {
      const gone = await db
        .delete(webhooks)
        .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)))
        .returning({ id: webhooks.id })
      return gone.length > 0
    },
    async addContact(c) {
      await db.insert(alertContacts).values(c)
    },
    async contacts(tenantId): Promise<StoredContact[]> {
      return db
        .select(contactColumns)
        .from(alertContacts)
        .where(eq(alertContacts.tenantId, tenantId))
        .orderBy(asc(alertContacts.createdAt), sql`${alertContacts.id} COLLATE "C"`)
    },
    async contact(tenantId, id) {
      const [row] = await db
        .select({
          ...contactColumns,
          confirmHash: alertContacts.confirmHash,
          confirmAttempts: alertContacts.confirmAttempts,
        })
        .from(alertContacts)
        .where(and(eq(alertContacts.tenantId, tenantId), eq(alertContacts.id, id)))
      return row ?? null
    },
    async countConfirmAttempt(id) {
      // One statement: the row lock serialises concurrent guesses, each gets its own count.
      const [row] = await db
        .update(alertContacts)
        .set({ confirmAttempts: sql`${alertContacts.confirmAttempts} + 1` })
        .where(eq(alertContacts.id, id))
        .returning({ n: alertContacts.confirmAttempts })
      return row?.n ?? 0
    },
    async confirmContact(id, at) {
      await db
        .update(alertContacts)
        .set({ confirmedAt: at, confirmHash: null })
        .where(eq(alertContacts.id, id))
    },
    async removeContact(tenantId, id) {
      const gone = await db
        .delete(alertContacts)
        .where(and(eq(alertContacts.tenantId, tenantId), eq(alertContacts.id, id)))
        .returning({ id: alertContacts.id })
      return gone.length > 0
    },
    async enqueue(now, newId, limit) {
      return db.transaction(async (tx) => {
        // Two dispatchers at once must not queue an event twice (the contract): the second
        // waits on the cursor row's lock and then reads the cursor the first moved. The row is
        // made first so that there is something to lock on the very first run.
        await tx.insert(alertCursor).values({ id: CURSOR_ROW, eventId: 0 }).onConflictDoNothing()
        const [row] = await tx
          .select({ e: alertCursor.eventId })
          .from(alertCursor)
          .where(eq(alertCursor.id, CURSOR_ROW))
          .for('update')
        // Event ids commit in order (pg/repos/checks.ts takes a lock for it), so nothing can
        // appear later below the last id read here.
        const events = await tx
          .select({ id: findingEvents.id, tenantId: findingEvents.tenantId })
          .from(findingEvents)
          .where(gt(findingEvents.id, row?.e ?? 0))
          .orderBy(asc(findingEvents.id))
          .limit(limit)
        if (events.length === 0) return 0
        const targets = new Map<string, Targets[]>()
        const rows: (typeof alertDeliveries.$inferInsert)[] = []
        for (const e of events) {
          let list = targets.get(e.tenantId)
          if (list === undefined) {
            const hooks = await tx
              .select({ id: webhooks.id })
              .from(webhooks)
              .where(eq(webhooks.tenantId, e.tenantId))
            const mails = await tx
              .select({ id: alertContacts.id })
              .from(alertContacts)
              .where(
                and(eq(alertContacts.tenantId, e.tenantId), isNotNull(alertContacts.confirmedAt)),
              )
            list = [
              ...hooks.map((h) => ({ webhookId: h.id })),
              ...mails.map((c) => ({ contactId: c.id })),
            ]
            targets.set(e.tenantId, list)
          }
          for (const target of list) {
            rows.push({
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
          }
        }
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await tx.insert(alertDeliveries).values(rows.slice(i, i + INSERT_CHUNK))
        }
        await tx
          .update(alertCursor)
          .set({ eventId: events[events.length - 1]!.id })
          .where(eq(alertCursor.id, CURSOR_ROW))
        return rows.length
      })
    },
    async due(now, limit) {
      // Claims what it returns: its next attempt moves CLAIM_MS ahead, so another instance's
      // dispatcher (or this one's next pass) does not send it again. SKIP LOCKED: two claims at
      // once take different rows instead of one waiting for the other and finding nothing.
      const claimed = await db.execute<{ id: string; was: string; created_at: string }>(sql`
        WITH pick AS (
          SELECT id, next_attempt_at AS was, created_at FROM ${alertDeliveries}
           WHERE status = 'pending' AND next_attempt_at IS NOT NULL
             AND next_attempt_at <= ${now.getTime()}
           ORDER BY next_attempt_at, created_at
           LIMIT ${limit}
             FOR UPDATE SKIP LOCKED
        )
        UPDATE ${alertDeliveries} d SET next_attempt_at = ${now.getTime() + CLAIM_MS}
          FROM pick WHERE d.id = pick.id
        RETURNING d.id, pick.was, pick.created_at`)
      // RETURNING has no order: oldest first again, as picked (int8 comes as text here).
      const order = claimed.rows
        .map((r) => ({ id: r.id, was: Number(r.was), created: Number(r.created_at) }))
        .sort((a, b) => a.was - b.was || a.created - b.created)
        .map((r) => r.id)
      if (order.length === 0) return []
      const rows = await db
        .select({ d: alertDeliveries, w: webhooks, c: alertContacts, e: findingEvents })
        .from(alertDeliveries)
        .leftJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
        .leftJoin(alertContacts, eq(alertContacts.id, alertDeliveries.contactId))
        .innerJoin(findingEvents, eq(findingEvents.id, alertDeliveries.eventId))
        .where(inArray(alertDeliveries.id, order))
      const byId = new Map(rows.map((r) => [r.d.id, r]))
      return order.flatMap((id): PendingDelivery[] => {
        const row = byId.get(id)
        // The cascade removes a target's deliveries with it; a row without one is not sent.
        const target: AlertTarget | null = row?.w
          ? { channel: 'webhook', id: row.w.id, url: row.w.url, secret: row.w.secret }
          : row?.c
            ? { channel: 'mail', id: row.c.id, email: row.c.email }
            : null
        if (!row || target === null) return []
        const { d, e } = row
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
      await db
        .update(alertDeliveries)
        .set({ ...outcome, updatedAt: now })
        .where(eq(alertDeliveries.id, id))
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
      const rows = await own
        .orderBy(
          sql`${alertDeliveries.createdAt} DESC`,
          sql`${alertDeliveries.id} COLLATE "C" DESC`,
        )
        .limit(limit)
      return rows.map(({ d }) => d)
    },
  }
}
