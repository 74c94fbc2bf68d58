import { and, eq, gt, gte, isNull, lte, notInArray, or, sql } from 'drizzle-orm'
import type { StoredZoneEntry, ZoneRepo } from '../../../core/dns/zone-ports.js'
import type { ZoneEntry } from '../../../core/dns/zone-types.js'
import { writeAudit } from '../audit.js'
import type { Db, OpenDb } from '../database.js'
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

/** A dns_entries row as better-sqlite3 returns it (entry not null: live rows only). */
interface RawRow {
  domain_id: string
  label: string
  entry: string
  sts_id: string | null
  version: number
}

const stored = (r: Row): StoredZoneEntry => ({
  domainId: r.domainId,
  label: r.label,
  entry: (r.entry as ZoneEntry | null) ?? null,
  stsId: r.stsId,
  version: r.version,
})

/** The zone's store in SQLite (core/dns/zone-ports.ts has the contract). */
export function zoneRepo({ db, sqlite }: OpenDb): ZoneRepo {
  const currentVersion = (tx: Pick<Db, 'select'>): number =>
    tx.select({ v: dnsZone.version }).from(dnsZone).where(eq(dnsZone.id, ZONE_ROW)).get()?.v ?? 0

  // Keyset paging on the primary key: each page is one index range, however deep.
  const page = sqlite.prepare(
    'select domain_id, label, entry, sts_id, version from dns_entries ' +
      'where entry is not null and domain_id > ? order by domain_id limit ?',
  )

  return {
    async version(initial) {
      db.insert(dnsZone)
        .values({ id: ZONE_ROW, version: initial, changedAt: new Date() })
        .onConflictDoNothing()
        .run()
      return currentVersion(db)
    },
    async loadPage(after, limit) {
      // Raw rows, JSON parsed here: drizzle's row objects would be one more copy per entry.
      const rows = page.all(after, limit + 1) as RawRow[]
      const more = rows.length > limit
      const entries = (more ? rows.slice(0, limit) : rows).map((r) => ({
        domainId: r.domain_id,
        label: r.label,
        entry: JSON.parse(r.entry) as ZoneEntry,
        stsId: r.sts_id,
        version: r.version,
      }))
      return { entries, next: more ? entries[entries.length - 1]!.domainId : null }
    },
    async since(version) {
      return db.transaction((tx) => ({
        version: currentVersion(tx),
        entries: tx
          .select()
          .from(dnsEntries)
          .where(gt(dnsEntries.version, version))
          .orderBy(dnsEntries.version)
          .all()
          .map(stored),
      }))
    },
    async entry(domainId) {
      const r = db.select().from(dnsEntries).where(eq(dnsEntries.domainId, domainId)).get()
      return r ? stored(r) : null
    },
    async write(domainId, next, expected, now) {
      return db.transaction((tx) => {
        const row = tx
          .select({ version: dnsEntries.version })
          .from(dnsEntries)
          .where(eq(dnsEntries.domainId, domainId))
          .get()
        if ((row?.version ?? null) !== expected) return null
        // The first write of a zone no server has loaded yet (a CLI command) creates it.
        tx.insert(dnsZone)
          .values({ id: ZONE_ROW, version: Math.floor(now.getTime() / 1000), changedAt: now })
          .onConflictDoNothing()
          .run()
        const bumped = tx
          .update(dnsZone)
          .set({ version: sql`${dnsZone.version} + 1`, changedAt: now })
          .where(eq(dnsZone.id, ZONE_ROW))
          .returning({ v: dnsZone.version })
          .get()
        if (!bumped) throw new Error('dns_zone row missing')
        const values = {
          domainId,
          label: next.label,
          entry: next.entry,
          stsId: next.stsId,
          version: bumped.v,
          updatedAt: now,
        }
        tx.insert(dnsEntries)
          .values(values)
          .onConflictDoUpdate({ target: dnsEntries.domainId, set: values })
          .run()
        return bumped.v
      })
    },
    async setMode(domainId, mode, label, audit) {
      conflictOnUnique('that zone label is taken', () =>
        db.transaction((tx) => {
          tx.update(domains)
            .set(label === null ? { dnsMode: mode } : { dnsMode: mode, dnsLabel: label })
            .where(eq(domains.id, domainId))
            .run()
          writeAudit(tx, audit)
        }),
      )
    },
    async heartbeat(instanceId, now) {
      db.insert(instances)
        .values({ id: instanceId, startedAt: now, seenAt: now })
        .onConflictDoUpdate({ target: instances.id, set: { seenAt: now } })
        .run()
    },
    async leave(instanceId) {
      db.delete(instances).where(eq(instances.id, instanceId)).run()
    },
    async ack(instanceId, domainId, policyId, now) {
      // Asked again on every tick while a change waits: write only what is new, since each
      // commit makes every other process on the file reconcile.
      const current = db
        .select({ policyId: policyAcks.policyId })
        .from(policyAcks)
        .where(and(eq(policyAcks.instanceId, instanceId), eq(policyAcks.domainId, domainId)))
        .get()
      if (current?.policyId === policyId) return
      db.insert(policyAcks)
        .values({ instanceId, domainId, policyId, ackedAt: now })
        .onConflictDoUpdate({
          target: [policyAcks.instanceId, policyAcks.domainId],
          set: { policyId, ackedAt: now },
        })
        .run()
    },
    async notAcked(domainId, policyId, liveSince) {
      const acked = db
        .select({ id: policyAcks.instanceId })
        .from(policyAcks)
        .where(and(eq(policyAcks.domainId, domainId), eq(policyAcks.policyId, policyId)))
      return db
        .select({ id: instances.id })
        .from(instances)
        .where(and(gte(instances.seenAt, liveSince), notInArray(instances.id, acked)))
        .all()
        .map((r) => r.id)
    },
    async markPending(domainId, now) {
      db.insert(dnsPending).values({ domainId, since: now }).onConflictDoNothing().run()
    },
    async clearPending(domainId) {
      // A delete that matches nothing writes no page, so other processes see no commit.
      db.delete(dnsPending).where(eq(dnsPending.domainId, domainId)).run()
    },
    async pending(limit) {
      return db
        .select({ id: dnsPending.domainId })
        .from(dnsPending)
        .orderBy(dnsPending.since)
        .limit(limit)
        .all()
        .map((r) => r.id)
    },
    async scan(after, limit) {
      const live = or(eq(domains.status, 'active'), eq(domains.status, 'retiring'))
      const delegated = and(eq(domains.dnsMode, 'delegated'), live)
      // One page of domains by id (the primary key), joined to their entry and policy.
      const page = db
        .select({
          id: domains.id,
          delegated: sql<number>`${delegated}`,
          entryDomain: dnsEntries.domainId,
          hasEntry: sql<number>`${dnsEntries.entry} is not null`,
          behind: sql<number>`${dnsEntries.stsId} is not ${mtaStsPolicies.policyId}`,
        })
        .from(domains)
        .leftJoin(dnsEntries, eq(dnsEntries.domainId, domains.id))
        .leftJoin(mtaStsPolicies, eq(mtaStsPolicies.domainId, domains.id))
        .where(gt(domains.id, after))
        .orderBy(domains.id)
        .limit(limit)
        .all()
      const ids = page
        .filter((r) => (r.delegated ? !r.hasEntry || r.behind : r.hasEntry))
        .map((r) => r.id)
      const next = page.length < limit ? null : (page[page.length - 1]?.id ?? null)
      // Entries in the same id range whose domain row is gone (removed during a crash).
      const last = next ?? page[page.length - 1]?.id
      const orphans = db
        .select({ id: dnsEntries.domainId })
        .from(dnsEntries)
        .leftJoin(domains, eq(domains.id, dnsEntries.domainId))
        .where(
          and(
            gt(dnsEntries.domainId, after),
            next === null || last === undefined ? undefined : lte(dnsEntries.domainId, last),
            sql`${dnsEntries.entry} is not null`,
            isNull(domains.id),
          ),
        )
        .all()
      ids.push(...orphans.map((r) => r.id))
      return { ids, next }
    },
  }
}
