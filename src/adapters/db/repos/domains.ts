import { and, asc, eq, gt, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import { CLAIM_CHECK_GAP } from '../../../core/domain-claim.js'
import { DomainError } from '../../../core/errors.js'
import type { Domain, DomainPage, DomainRepo, Hostname } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies, policyVersions } from '../schema.js'
import { conflictOnUnique } from '../unique.js'
import { putPolicy, type Tx } from './policies.js'

export function domainRepo(db: Db): DomainRepo {
  return {
    async create(domain, names, audit) {
      conflictOnUnique(`domain "${domain.name}" is already registered`, () =>
        db.transaction((tx) => {
          tx.insert(domains).values(domain).run()
          insertHostnames(tx, names, domain.createdAt)
          writeAudit(tx, audit)
        }),
      )
    },
    async byId(id) {
      return (db.select().from(domains).where(eq(domains.id, id)).get() as Domain) ?? null
    },
    async byName(name) {
      return (
        (db
          .select()
          .from(domains)
          .where(and(eq(domains.name, name), ne(domains.status, 'pending')))
          .get() as Domain) ?? null
      )
    },
    async ofTenant(tenantId, name) {
      return (
        (db
          .select()
          .from(domains)
          .where(and(eq(domains.tenantId, tenantId), eq(domains.name, name)))
          .get() as Domain) ?? null
      )
    },
    async claims(name) {
      return db
        .select()
        .from(domains)
        .where(eq(domains.name, name))
        .orderBy(asc(domains.createdAt), asc(domains.id))
        .all() as Domain[]
    },
    async list(tenantId, page) {
      const where = and(
        tenantId === null ? undefined : eq(domains.tenantId, tenantId),
        page?.after ? after(page.after) : undefined,
      )
      const q = db.select().from(domains).where(where).orderBy(asc(domains.name), asc(domains.id))
      return (page ? q.limit(page.limit).all() : q.all()) as Domain[]
    },
    async recordCheck(domainId, at, error) {
      db.update(domains)
        .set({ lastCheckAt: at, lastCheckError: error })
        .where(and(eq(domains.id, domainId), eq(domains.status, 'pending')))
        .run()
    },
    async verify(claim, names, displaced, audit) {
      return db.transaction((tx) => {
        const holder = tx
          .select()
          .from(domains)
          .where(
            and(
              eq(domains.name, claim.name),
              ne(domains.status, 'pending'),
              ne(domains.id, claim.id),
            ),
          )
          .get() as Domain | undefined
        const changed: string[] = []
        if (holder) {
          tx.delete(hostnames).where(eq(hostnames.domainId, holder.id)).run()
          tx.update(domains)
            .set({
              status: 'pending',
              verifiedAt: null,
              retiredAt: null,
              removeAt: null,
              retiredPolicyId: null,
              verificationToken: displaced.verificationToken,
              claimExpiresAt: displaced.claimExpiresAt,
              // Its new token cannot be in DNS yet: the schedule need not ask at once.
              lastCheckAt: claim.verifiedAt,
              lastCheckError: displaced.lastCheckError,
            })
            .where(eq(domains.id, holder.id))
            .run()
          writeAudit(tx, displaced.audit(holder))
          changed.push(holder.id)
        }
        changed.push(...dropLogoHostsNamed(tx, names, claim.id))
        const promoted = tx
          .update(domains)
          .set({
            status: 'active',
            verifiedAt: claim.verifiedAt,
            claimExpiresAt: null,
            lastCheckAt: claim.lastCheckAt,
            lastCheckError: null,
            // Senders may still cache the old holder's policies: retiring this domain later
            // must wait for those too (RFC 8461 §8.3).
            maxAgeHigh: maxOf(claim.maxAgeHigh, holder?.maxAgeHigh ?? null),
          })
          .where(and(eq(domains.id, claim.id), eq(domains.status, 'pending')))
          .run()
        if (promoted.changes !== 1) {
          // Throwing rolls the whole transaction back, the displacement included.
          throw new DomainError('CONFLICT', `the claim on "${claim.name}" is no longer pending`)
        }
        insertHostnames(tx, names, claim.verifiedAt ?? claim.createdAt)
        writeAudit(tx, audit)
        return { displaced: holder ?? null, changed: [...new Set(changed)] }
      })
    },
    async dueClaims(now, limit) {
      const at = now.getTime()
      return db
        .select()
        .from(domains)
        .where(
          and(
            eq(domains.status, 'pending'),
            gt(domains.claimExpiresAt, now),
            or(isNull(domains.lastCheckAt), sql`${at} - ${domains.lastCheckAt} >= ${checkGap}`),
          ),
        )
        .orderBy(
          sql`${domains.lastCheckAt} is not null`,
          sql`${domains.lastCheckAt} + ${checkGap}`,
          asc(domains.createdAt),
          asc(domains.id),
        )
        .limit(limit)
        .all() as Domain[]
    },
    async expiredClaims(now, limit) {
      return db
        .select()
        .from(domains)
        .where(and(eq(domains.status, 'pending'), lte(domains.claimExpiresAt, now)))
        .limit(limit)
        .all() as Domain[]
    },
    async hostnames(domainId) {
      return db.select().from(hostnames).where(eq(hostnames.domainId, domainId)).all()
    },
    async retire(domain, nonePolicy, audit) {
      db.transaction((tx) => {
        const previous = tx
          .select({ policyId: mtaStsPolicies.policyId })
          .from(mtaStsPolicies)
          .where(eq(mtaStsPolicies.domainId, domain.id))
          .get()
        tx.update(domains)
          .set({
            status: 'retiring',
            retiredAt: domain.retiredAt,
            removeAt: domain.removeAt,
            retiredPolicyId: previous?.policyId ?? null,
          })
          .where(eq(domains.id, domain.id))
          .run()
        putPolicy(tx, nonePolicy)
        writeAudit(tx, audit)
      })
    },
    async retiredPolicy(domainId) {
      const row = db
        .select({ policyId: policyVersions.policyId, text: policyVersions.text })
        .from(domains)
        .innerJoin(
          policyVersions,
          and(
            eq(policyVersions.domainId, domains.id),
            eq(policyVersions.policyId, domains.retiredPolicyId),
          ),
        )
        .where(eq(domains.id, domainId))
        .get()
      return row ?? null
    },
    async restore(domainId, policy, audit) {
      db.transaction((tx) => {
        const restored = tx
          .update(domains)
          .set({ status: 'active', retiredAt: null, removeAt: null, retiredPolicyId: null })
          .where(and(eq(domains.id, domainId), eq(domains.status, 'retiring')))
          .run()
        if (restored.changes !== 1) {
          // Removed or restored meanwhile; throwing rolls the transaction back.
          throw new DomainError('CONFLICT', 'the domain is no longer being retired')
        }
        if (policy) {
          putPolicy(tx, policy)
          if (policy.mode !== 'none') {
            // RFC 8461 §8.3: a later retirement waits for the longest max_age ever served.
            tx.update(domains)
              .set({ maxAgeHigh: sql`max(coalesce(${domains.maxAgeHigh}, 0), ${policy.maxAge})` })
              .where(eq(domains.id, domainId))
              .run()
          }
        } else {
          tx.delete(mtaStsPolicies).where(eq(mtaStsPolicies.domainId, domainId)).run()
        }
        writeAudit(tx, audit)
      })
    },
    async remove(domainId, audit) {
      db.transaction((tx) => {
        tx.delete(domains).where(eq(domains.id, domainId)).run()
        // Logos are shared by hash; drop the ones no domain publishes any more.
        tx.run(sql`delete from logos where sha256 not in (select sha256 from domain_logos)`)
        writeAudit(tx, audit)
      })
    },
    async dueForRemoval(now) {
      return db
        .select()
        .from(domains)
        .where(and(eq(domains.status, 'retiring'), lte(domains.removeAt, now)))
        .all() as Domain[]
    },
  }
}

/**
 * The back-off gap after a claim's last check, in ms: mirrors `claimCheckDue` in
 * core/domain-claim.ts (same constants, same arithmetic), so that dueClaims selects exactly
 * the claims it calls due. Columns are integer ms; SQLite's multi-argument min()/max() are
 * scalar (a PostgreSQL adapter will use LEAST/GREATEST). The division is real, as in
 * JavaScript: integer division would make a claim due up to a millisecond early
 * (better-sqlite3 binds numbers as REAL already; the cast keeps it so for any driver, and
 * PostgreSQL needs it). The due test is written `now - last_check_at >= gap`, the same
 * operations as `claimCheckDue`.
 */
const checkGap = sql`min(${CLAIM_CHECK_GAP.maxMs}, max(${CLAIM_CHECK_GAP.minMs}, (${domains.lastCheckAt} - ${domains.createdAt}) / cast(${CLAIM_CHECK_GAP.divisor} as real)))`

/** Keyset condition: rows after (name, id) in list order. */
function after(cursor: NonNullable<DomainPage['after']>): SQL | undefined {
  return or(
    gt(domains.name, cursor.name),
    and(eq(domains.name, cursor.name), gt(domains.id, cursor.id)),
  )
}

/** Adds hostnames and queues each for its first certificate (an existing one is kept). */
function insertHostnames(tx: Tx, names: Hostname[], at: Date): void {
  if (names.length === 0) return
  tx.insert(hostnames).values(names).run()
  tx.insert(certificates)
    .values(
      names.map((h) => ({
        hostname: h.name,
        status: 'pending' as const,
        dueAt: at,
        updatedAt: at,
      })),
    )
    .onConflictDoNothing()
    .run()
}

/**
 * A logo host of another domain may sit where the new domain's own names go (a logo host
 * `mta-sts.sub.example` under `example` before `sub.example` was claimed): whoever proved
 * control of the name decides, so that row goes. Returns the domains that lost one.
 */
function dropLogoHostsNamed(tx: Tx, names: Hostname[], keep: string): string[] {
  if (names.length === 0) return []
  const list = names.map((h) => h.name)
  const rows = tx
    .select({ domainId: hostnames.domainId })
    .from(hostnames)
    .where(and(inArray(hostnames.name, list), ne(hostnames.domainId, keep)))
    .all()
  if (rows.length === 0) return []
  tx.delete(hostnames)
    .where(
      and(inArray(hostnames.name, list), ne(hostnames.domainId, keep), eq(hostnames.role, 'logo')),
    )
    .run()
  return rows.map((r) => r.domainId)
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  return b === null ? a : Math.max(a, b)
}
