import {
  and,
  asc,
  eq,
  gt,
  inArray,
  isNull,
  lte,
  ne,
  or,
  sql,
  type Column,
  type SQL,
} from 'drizzle-orm'
import { CLAIM_CHECK_GAP } from '../../../core/domain-claim.js'
import { DomainError } from '../../../core/errors.js'
import type { DomainPage, DomainRepo, Hostname } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { certificates, domains, hostnames, mtaStsPolicies, policyVersions } from '../schema.js'
import { conflictOnUnique } from '../unique.js'
import { putPolicy, raiseMaxAgeHigh, type PgTx } from './policies.js'

export function domainRepo(db: PgDb): DomainRepo {
  // Nearly every API request names its domain: prepared once per connection.
  const ofName = db
    .select()
    .from(domains)
    .where(and(eq(domains.name, sql.placeholder('name')), ne(domains.status, 'pending')))
    .prepare('domains_by_name')
  return {
    async create(domain, names, audit) {
      // domains_tenant_name and domains_name_live (pending claims excepted) decide at insert.
      await conflictOnUnique(`domain "${domain.name}" is already registered`, () =>
        db.transaction(async (tx) => {
          await tx.insert(domains).values(domain)
          await insertHostnames(tx, names, domain.createdAt)
          await writeAudit(tx, audit)
        }),
      )
    },
    async byId(id) {
      const [row] = await db.select().from(domains).where(eq(domains.id, id))
      return row ?? null
    },
    async byName(name) {
      const [row] = await ofName.execute({ name })
      return row ?? null
    },
    async ofTenant(tenantId, name) {
      const [row] = await db
        .select()
        .from(domains)
        .where(and(eq(domains.tenantId, tenantId), eq(domains.name, name)))
      return row ?? null
    },
    async claims(name) {
      return db
        .select()
        .from(domains)
        .where(eq(domains.name, name))
        .orderBy(asc(domains.createdAt), byteOrder(domains.id))
    },
    async list(tenantId, page) {
      const where = and(
        tenantId === null ? undefined : eq(domains.tenantId, tenantId),
        page?.after ? after(page.after) : undefined,
      )
      const q = db
        .select()
        .from(domains)
        .where(where)
        .orderBy(byteOrder(domains.name), byteOrder(domains.id))
      return page ? q.limit(page.limit) : q
    },
    async recordCheck(domainId, at, error) {
      await db
        .update(domains)
        .set({ lastCheckAt: at, lastCheckError: error })
        .where(and(eq(domains.id, domainId), eq(domains.status, 'pending')))
    },
    async verify(claim, names, displaced, audit) {
      // A live row inserted by `create` between the holder read and the promotion trips
      // domains_name_live: the claim lost that race, as if it were no longer pending.
      return conflictOnUnique(`"${claim.name}" was taken meanwhile`, () =>
        db.transaction(async (tx) => {
          // Every row of the name, locked in id order: two verifications of the name (two
          // tenants at once) run one after the other, so the second sees the first's result and
          // displaces it, exactly as it would have a moment later (READ COMMITTED: each later
          // statement reads what the first committed).
          await tx
            .select({ id: domains.id })
            .from(domains)
            .where(eq(domains.name, claim.name))
            .orderBy(asc(domains.id))
            .for('update')
          const [holder] = await tx
            .select()
            .from(domains)
            .where(
              and(
                eq(domains.name, claim.name),
                ne(domains.status, 'pending'),
                ne(domains.id, claim.id),
              ),
            )
          const changed: string[] = []
          if (holder) {
            await tx.delete(hostnames).where(eq(hostnames.domainId, holder.id))
            await tx
              .update(domains)
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
            await writeAudit(tx, displaced.audit(holder))
            changed.push(holder.id)
          }
          changed.push(...(await dropLogoHostsNamed(tx, names, claim.id)))
          const promoted = await tx
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
            .returning({ id: domains.id })
          if (promoted.length !== 1) {
            // Throwing rolls the whole transaction back, the displacement included.
            throw new DomainError('CONFLICT', `the claim on "${claim.name}" is no longer pending`)
          }
          await insertHostnames(tx, names, claim.verifiedAt ?? claim.createdAt)
          await writeAudit(tx, audit)
          return { displaced: holder ?? null, changed: [...new Set(changed)] }
        }),
      )
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
          byteOrder(domains.id),
        )
        .limit(limit)
    },
    async expiredClaims(now, limit) {
      return db
        .select()
        .from(domains)
        .where(and(eq(domains.status, 'pending'), lte(domains.claimExpiresAt, now)))
        .limit(limit)
    },
    async hostnames(domainId) {
      return db.select().from(hostnames).where(eq(hostnames.domainId, domainId))
    },
    async retire(domain, nonePolicy, audit) {
      await db.transaction(async (tx) => {
        // Locks the policy row before the domain row, the order `put` takes them in: a policy
        // put racing this waits, so the id remembered is the one in force until the `none`.
        const [previous] = await tx
          .select({ policyId: mtaStsPolicies.policyId })
          .from(mtaStsPolicies)
          .where(eq(mtaStsPolicies.domainId, domain.id))
          .for('update')
        await tx
          .update(domains)
          .set({
            status: 'retiring',
            retiredAt: domain.retiredAt,
            removeAt: domain.removeAt,
            retiredPolicyId: previous?.policyId ?? null,
          })
          .where(eq(domains.id, domain.id))
        await putPolicy(tx, nonePolicy)
        await writeAudit(tx, audit)
      })
    },
    async retiredPolicy(domainId) {
      const [row] = await db
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
      return row ?? null
    },
    async restore(domainId, policy, audit) {
      await db.transaction(async (tx) => {
        // Conditional: of two restores (or a restore and a removal) at once, one wins.
        const restored = await tx
          .update(domains)
          .set({ status: 'active', retiredAt: null, removeAt: null, retiredPolicyId: null })
          .where(and(eq(domains.id, domainId), eq(domains.status, 'retiring')))
          .returning({ id: domains.id })
        if (restored.length !== 1) {
          // Removed or restored meanwhile; throwing rolls the transaction back.
          throw new DomainError('CONFLICT', 'the domain is no longer being retired')
        }
        if (policy) {
          await putPolicy(tx, policy)
          // RFC 8461 §8.3: a later retirement waits for the longest max_age ever served.
          if (policy.mode !== 'none') await raiseMaxAgeHigh(tx, domainId, policy.maxAge)
        } else {
          await tx.delete(mtaStsPolicies).where(eq(mtaStsPolicies.domainId, domainId))
        }
        await writeAudit(tx, audit)
      })
    },
    async remove(domainId, audit) {
      await db.transaction(async (tx) => {
        await tx.delete(domains).where(eq(domains.id, domainId))
        // Logos are shared by hash; drop the ones no domain publishes any more.
        await tx.execute(
          sql`delete from logos where sha256 not in (select sha256 from domain_logos)`,
        )
        await writeAudit(tx, audit)
      })
    },
    async dueForRemoval(now) {
      return db
        .select()
        .from(domains)
        .where(and(eq(domains.status, 'retiring'), lte(domains.removeAt, now)))
    },
  }
}

/**
 * The back-off gap after a claim's last check, in ms: mirrors `claimCheckDue` in
 * core/domain-claim.ts (same constants, same arithmetic), so that dueClaims selects exactly
 * the claims it calls due. The division is in double precision, as in JavaScript: bigint
 * division would truncate and make a claim due up to a millisecond early.
 */
const checkGap = sql`least(${CLAIM_CHECK_GAP.maxMs}, greatest(${CLAIM_CHECK_GAP.minMs}, (${domains.lastCheckAt} - ${domains.createdAt}) / cast(${CLAIM_CHECK_GAP.divisor} as double precision)))`

/**
 * Text in byte order (as SQLite compares), whatever the database's collation: keyset pages
 * of a production database then follow the same order as the test cluster's.
 */
function byteOrder(column: Column): SQL {
  return sql`${column} collate "C"`
}

/** Keyset condition: rows after (name, id) in list order. */
function after(cursor: NonNullable<DomainPage['after']>): SQL | undefined {
  return or(
    sql`${domains.name} collate "C" > ${cursor.name}`,
    and(eq(domains.name, cursor.name), sql`${domains.id} collate "C" > ${cursor.id}`),
  )
}

/** Adds hostnames and queues each for its first certificate (an existing one is kept). */
async function insertHostnames(tx: PgTx, names: Hostname[], at: Date): Promise<void> {
  if (names.length === 0) return
  await tx.insert(hostnames).values(names)
  await tx
    .insert(certificates)
    .values(
      names.map((h) => ({
        hostname: h.name,
        status: 'pending' as const,
        dueAt: at,
        updatedAt: at,
      })),
    )
    .onConflictDoNothing()
}

/**
 * A logo host of another domain may sit where the new domain's own names go (a logo host
 * `mta-sts.sub.example` under `example` before `sub.example` was claimed): whoever proved
 * control of the name decides, so that row goes. Returns the domains that lost one.
 */
async function dropLogoHostsNamed(tx: PgTx, names: Hostname[], keep: string): Promise<string[]> {
  if (names.length === 0) return []
  const list = names.map((h) => h.name)
  const rows = await tx
    .select({ domainId: hostnames.domainId })
    .from(hostnames)
    .where(and(inArray(hostnames.name, list), ne(hostnames.domainId, keep)))
  if (rows.length === 0) return []
  await tx
    .delete(hostnames)
    .where(
      and(inArray(hostnames.name, list), ne(hostnames.domainId, keep), eq(hostnames.role, 'logo')),
    )
  return rows.map((r) => r.domainId)
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  return b === null ? a : Math.max(a, b)
}
