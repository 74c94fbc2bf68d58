import { and, asc, eq, getTableColumns, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm'
import type { CertState, CertStateRepo } from '../../../core/certs/types.js'
import type { PgDb } from '../database.js'
import { certificates, hostnames } from '../schema.js'

// The lease columns stay inside this adapter: a saved state never clobbers a lease.
const { leaseOwner: _owner, leaseUntil: _until, ...stateColumns } = getTableColumns(certificates)

/**
 * One text[] parameter (`= ANY(...)`) instead of one parameter per name: callers pass hundreds
 * of names, and PostgreSQL takes at most 65535 parameters per statement.
 */
const anyOf = (names: string[]) => sql`${certificates.hostname} = ANY(${sql.param(names)}::text[])`

/** Certificate scheduling state and issuance leases in PostgreSQL. */
export function certStateRepo(db: PgDb): CertStateRepo {
  return {
    async get(hostname) {
      const [row] = await db
        .select(stateColumns)
        .from(certificates)
        .where(eq(certificates.hostname, hostname))
      return (row as CertState | undefined) ?? null
    },
    async many(names) {
      if (names.length === 0) return []
      return (await db.select(stateColumns).from(certificates).where(anyOf(names))) as CertState[]
    },
    async due(now, limit, extra) {
      // Range scan on certificates_due_at_hostname; the join drops rows whose hostname has gone.
      const rows = await db
        .select({ hostname: certificates.hostname })
        .from(certificates)
        .leftJoin(hostnames, eq(hostnames.name, certificates.hostname))
        .where(
          and(
            lte(certificates.dueAt, now),
            extra.length > 0
              ? or(isNotNull(hostnames.name), anyOf(extra))
              : isNotNull(hostnames.name),
          ),
        )
        .orderBy(asc(certificates.dueAt))
        .limit(limit)
      return rows.map((r) => r.hostname)
    },
    async orphans(limit, keep) {
      const rows = await db
        .select({ hostname: certificates.hostname })
        .from(certificates)
        .leftJoin(hostnames, eq(hostnames.name, certificates.hostname))
        .where(and(isNull(hostnames.name), keep.length > 0 ? sql`NOT (${anyOf(keep)})` : undefined))
        .limit(limit)
      return rows.map((r) => r.hostname)
    },
    async save(state) {
      await db
        .insert(certificates)
        .values(state)
        .onConflictDoUpdate({ target: certificates.hostname, set: state })
    },
    async remove(hostname) {
      await db.delete(certificates).where(eq(certificates.hostname, hostname))
    },
    async reconcile(now, extra) {
      const at = now.getTime()
      // ON CONFLICT DO NOTHING: another instance reconciling at the same moment inserts the same
      // names, and NOT EXISTS cannot see its uncommitted rows.
      const fromHosts = await db.execute(sql`
        insert into certificates (hostname, status, due_at, failures, updated_at)
        select h.name, 'pending', ${at}, 0, ${at} from hostnames h
        where not exists (select 1 from certificates c where c.hostname = h.name)
        on conflict (hostname) do nothing`)
      let added = fromHosts.rowCount ?? 0
      if (extra.length > 0) {
        const fromExtra = await db
          .insert(certificates)
          .values(
            [...new Set(extra)].map((hostname) => ({
              hostname,
              status: 'pending' as const,
              dueAt: now,
              failures: 0,
              updatedAt: now,
            })),
          )
          .onConflictDoNothing()
        added += fromExtra.rowCount ?? 0
      }
      return added
    },
    async dueOnIssuerChange(issuerName, now) {
      const changed = await db
        .update(certificates)
        .set({ dueAt: now })
        .where(
          and(
            isNotNull(certificates.issuerName),
            ne(certificates.issuerName, issuerName),
            sql`${certificates.dueAt} > ${now.getTime()}`,
          ),
        )
      return changed.rowCount ?? 0
    },
    async acquire(hostname, owner, now, until) {
      // One statement, so two instances racing for a hostname cannot both win: the insert
      // creates the row with the lease, or the conditional DO UPDATE takes it. A racer waits on
      // the row lock, re-evaluates the WHERE against the committed lease, and gets no row back.
      const taken = await db
        .insert(certificates)
        .values({
          hostname,
          status: 'pending',
          dueAt: now,
          failures: 0,
          updatedAt: now,
          leaseOwner: owner,
          leaseUntil: until,
        })
        .onConflictDoUpdate({
          target: certificates.hostname,
          set: { leaseOwner: owner, leaseUntil: until },
          setWhere: or(
            isNull(certificates.leaseUntil),
            lte(certificates.leaseUntil, now),
            eq(certificates.leaseOwner, owner),
          ),
        })
        .returning({ hostname: certificates.hostname })
      return taken.length === 1
    },
    async release(hostname, owner) {
      await db
        .update(certificates)
        .set({ leaseOwner: null, leaseUntil: null })
        .where(and(eq(certificates.hostname, hostname), eq(certificates.leaseOwner, owner)))
    },
    async issued() {
      return (await db
        .select({ hostname: certificates.hostname, serial: certificates.serial })
        .from(certificates)
        .where(isNotNull(certificates.serial))) as Array<{ hostname: string; serial: string }>
    },
    async list() {
      // Three columns, no join: one array per scrape, as on SQLite.
      return db
        .select({
          hostname: certificates.hostname,
          status: certificates.status,
          notAfter: certificates.notAfter,
        })
        .from(certificates)
    },
  }
}
