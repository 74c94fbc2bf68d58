import { and, asc, eq, gt, gte, isNotNull, isNull, lte, notInArray, or, sql } from 'drizzle-orm'
import type { StoredZoneEntry, ZoneRepo } from '../../../core/dns/zone-ports.js'
import type { ZoneEntry } from '../../../core/dns/zone-types.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import {
  dnsEntries,
  dnsPending,
  dnsZone,
  domains,
  instances,
  mtaStsPolicies,
  policyAcks,
} from '../schema.js'
import { conflictOnUnique } from '../unique.js'

const ZONE_ROW = 1

type Row = typeof dnsEntries.$inferSelect

const stored = (r: Row): StoredZoneEntry => ({
  domainId: r.domainId,
  label: r.label,
  entry: (r.entry as ZoneEntry | null) ?? null,
  stsId: r.stsId,
  version: r.version,
})

/**
 * The zone's store in PostgreSQL (core/dns/zone-ports.ts has the contract), shared by several
 * serving instances and the CLI.
 *
 * Why versions stay gap-free for readers: every `write` locks the one dns_zone row before it
 * reads anything and keeps the lock until it commits, so writes commit in version order. A
 * reader that sees version V therefore sees every entry stamped ≤ V, and `since(V)` later
 * misses nothing (a bump that could commit after a higher one would be skipped forever).
 *
 * Paging by domain id uses the columns' own collation, not COLLATE "C": the order of ids is
 * shown to no one, keyset paging only needs the ORDER BY and the `>` to agree (they do in any
 * deterministic collation), and so each page stays one range of the primary key, however deep.
 */
export function zoneRepo(db: PgDb): ZoneRepo {
  return {
    async version(initial) {
      await db
        .insert(dnsZone)
        .values({ id: ZONE_ROW, version: initial, changedAt: new Date() })
        .onConflictDoNothing()
      const [row] = await db
        .select({ v: dnsZone.version })
        .from(dnsZone)
        .where(eq(dnsZone.id, ZONE_ROW))
      return row?.v ?? 0
    },
    async loadPage(after, limit) {
      const rows = await db
        .select()
        .from(dnsEntries)
        .where(and(isNotNull(dnsEntries.entry), gt(dnsEntries.domainId, after)))
        .orderBy(asc(dnsEntries.domainId))
        .limit(limit + 1)
      const more = rows.length > limit
      const entries = (more ? rows.slice(0, limit) : rows).map(stored)
      return { entries, next: more ? entries[entries.length - 1]!.domainId : null }
    },
    async since(version) {
      // Two reads, one snapshot: under READ COMMITTED each statement would see its own.
      return db.transaction(
        async (tx) => {
          const [zone] = await tx
            .select({ v: dnsZone.version })
            .from(dnsZone)
            .where(eq(dnsZone.id, ZONE_ROW))
          const rows = await tx
            .select()
            .from(dnsEntries)
            .where(gt(dnsEntries.version, version))
            .orderBy(asc(dnsEntries.version))
          return { version: zone?.v ?? 0, entries: rows.map(stored) }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      )
    },
    async entry(domainId) {
      const [r] = await db.select().from(dnsEntries).where(eq(dnsEntries.domainId, domainId))
      return r ? stored(r) : null
    },
    async write(domainId, next, expected, now) {
      return db.transaction(async (tx) => {
        // The first write of a zone no server has loaded yet (a CLI command) creates it.
        await tx
          .insert(dnsZone)
          .values({ id: ZONE_ROW, version: Math.floor(now.getTime() / 1000), changedAt: now })
          .onConflictDoNothing()
        // The zone row's lock serialises writers (see above) and makes the compare-and-set
        // below safe: under READ COMMITTED the next statement sees the previous holder's commit.
        await tx
          .select({ v: dnsZone.version })
          .from(dnsZone)
          .where(eq(dnsZone.id, ZONE_ROW))
          .for('update')
        const [row] = await tx
          .select({ version: dnsEntries.version })
          .from(dnsEntries)
          .where(eq(dnsEntries.domainId, domainId))
        if ((row?.version ?? null) !== expected) return null
        const [bumped] = await tx
          .update(dnsZone)
          .set({ version: sql`${dnsZone.version} + 1`, changedAt: now })
          .where(eq(dnsZone.id, ZONE_ROW))
          .returning({ v: dnsZone.version })
        if (!bumped) throw new Error('dns_zone row missing')
        const values = {
          domainId,
          label: next.label,
          entry: next.entry,
          stsId: next.stsId,
          version: bumped.v,
          updatedAt: now,
        }
        await tx
          .insert(dnsEntries)
          .values(values)
          .onConflictDoUpdate({ target: dnsEntries.domainId, set: values })
        return bumped.v
      })
    },
    async setMode(domainId, mode, label, audit) {
      await conflictOnUnique('that zone label is taken', () =>
        db.transaction(async (tx) => {
          await tx
            .update(domains)
            .set(label === null ? { dnsMode: mode } : { dnsMode: mode, dnsLabel: label })
            .where(eq(domains.id, domainId))
          await writeAudit(tx, audit)
        }),
      )
    },
    async heartbeat(instanceId, now) {
      await db
        .insert(instances)
        .values({ id: instanceId, startedAt: now, seenAt: now })
        .onConflictDoUpdate({ target: instances.id, set: { seenAt: now } })
    },
    async leave(instanceId) {
      // policy_acks go with it (ON DELETE CASCADE).
      await db.delete(instances).where(eq(instances.id, instanceId))
    },
    async ack(instanceId, domainId, policyId, now) {
      // Asked again on every tick while a change waits: one statement that rewrites the row
      // only when the id is new, so repeats leave no dead tuples (and keep the first acked_at).
      await db
        .insert(policyAcks)
        .values({ instanceId, domainId, policyId, ackedAt: now })
        .onConflictDoUpdate({
          target: [policyAcks.instanceId, policyAcks.domainId],
          set: { policyId, ackedAt: now },
          setWhere: sql`${policyAcks.policyId} <> excluded.policy_id`,
        })
    },
    async notAcked(domainId, policyId, liveSince) {
      const acked = db
        .select({ id: policyAcks.instanceId })
        .from(policyAcks)
        .where(and(eq(policyAcks.domainId, domainId), eq(policyAcks.policyId, policyId)))
      const rows = await db
        .select({ id: instances.id })
        .from(instances)
        .where(and(gte(instances.seenAt, liveSince), notInArray(instances.id, acked)))
        .orderBy(asc(instances.id))
      return rows.map((r) => r.id)
    },
    async markPending(domainId, now) {
      // The first mark's time stays: `pending` serves the longest-waiting first.
      await db.insert(dnsPending).values({ domainId, since: now }).onConflictDoNothing()
    },
    async clearPending(domainId) {
      await db.delete(dnsPending).where(eq(dnsPending.domainId, domainId))
    },
    async pending(limit) {
      const rows = await db
        .select({ id: dnsPending.domainId })
        .from(dnsPending)
        .orderBy(asc(dnsPending.since), asc(dnsPending.domainId))
        .limit(limit)
      return rows.map((r) => r.id)
    },
    async scan(after, limit) {
      const live = or(eq(domains.status, 'active'), eq(domains.status, 'retiring'))
      const delegated = and(eq(domains.dnsMode, 'delegated'), live)
      // One page of domains by id (the primary key), joined to their entry and policy.
      const page = await db
        .select({
          id: domains.id,
          delegated: sql<boolean>`${delegated}`,
          hasEntry: sql<boolean>`${dnsEntries.entry} is not null`,
          behind: sql<boolean>`${dnsEntries.stsId} is distinct from ${mtaStsPolicies.policyId}`,
        })
        .from(domains)
        .leftJoin(dnsEntries, eq(dnsEntries.domainId, domains.id))
        .leftJoin(mtaStsPolicies, eq(mtaStsPolicies.domainId, domains.id))
        .where(gt(domains.id, after))
        .orderBy(asc(domains.id))
        .limit(limit)
      const ids = page
        .filter((r) => (r.delegated ? !r.hasEntry || r.behind : r.hasEntry))
        .map((r) => r.id)
      const next = page.length < limit ? null : (page[page.length - 1]?.id ?? null)
      // Entries in the same id range whose domain row is gone (removed during a crash).
      const orphans = await db
        .select({ id: dnsEntries.domainId })
        .from(dnsEntries)
        .leftJoin(domains, eq(domains.id, dnsEntries.domainId))
        .where(
          and(
            gt(dnsEntries.domainId, after),
            next === null ? undefined : lte(dnsEntries.domainId, next),
            isNotNull(dnsEntries.entry),
            isNull(domains.id),
          ),
        )
        .orderBy(asc(dnsEntries.domainId))
      ids.push(...orphans.map((r) => r.id))
      return { ids, next }
    },
  }
}
