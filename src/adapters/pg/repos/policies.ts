import { desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Announcement } from '../../../core/changes.js'
import type { AuditEntry, PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { CHANGE_CHANNEL } from '../../changes/pg-notify.js'
import type { PgDb } from '../database.js'
import { auditLog, domains, mtaStsPolicies, policyVersions } from '../schema.js'

export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/**
 * Serves `policy` from now on and records it as a version (kept if the id is known), inside the
 * caller's transaction; the domains repo uses it too (retire, restore). Both writes are upserts,
 * so two transactions putting at once serialise on the rows instead of failing.
 */
export async function putPolicy(tx: PgTx, policy: StoredPolicy): Promise<number> {
  const [row] = await tx
    .insert(mtaStsPolicies)
    .values({ ...policy, revision: 1 })
    .onConflictDoUpdate({
      target: mtaStsPolicies.domainId,
      set: { ...policy, revision: sql`${mtaStsPolicies.revision} + 1` },
    })
    .returning({ revision: mtaStsPolicies.revision })
  await tx
    .insert(policyVersions)
    .values({
      domainId: policy.domainId,
      policyId: policy.policyId,
      text: policy.text,
      firstServedAt: policy.updatedAt,
    })
    .onConflictDoNothing()
  return row!.revision
}

/**
 * RFC 8461 §8.3: removal waits for the longest max_age ever served, so keep the high mark. One
 * UPDATE computing from the row it locks: concurrent puts cannot lose each other's mark.
 */
export async function raiseMaxAgeHigh(tx: PgTx, domainId: string, maxAge: number): Promise<void> {
  await tx
    .update(domains)
    .set({ maxAgeHigh: sql`greatest(coalesce(${domains.maxAgeHigh}, 0), ${maxAge})` })
    .where(eq(domains.id, domainId))
}

/**
 * The policy write of `put` as one statement: the same four writes as putPolicy, raiseMaxAgeHigh
 * and writeAudit in a transaction, without its six round trips (BEGIN, four writes, COMMIT) — the
 * API's most frequent write, where each round trip costs the instance and the server a wake-up
 * (bench row 15c1). One statement is atomic on its own; its parts run on one snapshot, and the
 * upserts still serialise on their rows. The no-op check is the upsert's own condition: a row that
 * already holds the text is locked and left as it is, returns nothing, and the other parts then
 * write nothing — decided on the row as it is once locked, so no read before the write (one
 * round trip fewer per API write). Its text never varies (every value is a parameter), so it
 * runs as a named statement: each connection parses it once instead of on every write, and
 * PostgreSQL may keep one plan for it (a generic plan, once it proves as cheap as custom ones).
 */
function putStatement(policy: StoredPolicy, audit: AuditEntry, announcement?: Announcement): SQL {
  const at = policy.updatedAt.getTime()
  // The event to the other instances (core/changes.ts, `announcing`): sent for the row the
  // upsert wrote, so none for a no-op, and delivered when the statement commits.
  const announce = announcement
    ? sql`, pg_notify(${CHANGE_CHANNEL}::text, ${announcement.head}::text || revision || ${announcement.tail}::text)`
    : sql``
  // RFC 8461 §8.3's high mark counts policies that were served; 'none' withdraws.
  const raise = policy.mode === 'none' ? null : policy.maxAge
  return sql`
    with policy as (
      insert into ${mtaStsPolicies} (domain_id, mode, max_age, mx, policy_id, text, updated_at, revision)
      values (${policy.domainId}, ${policy.mode}, ${policy.maxAge}, ${JSON.stringify(policy.mx)}::jsonb,
        ${policy.policyId}, ${policy.text}, ${at}, 1)
      on conflict (domain_id) do update set mode = excluded.mode, max_age = excluded.max_age,
        mx = excluded.mx, policy_id = excluded.policy_id, text = excluded.text,
        updated_at = excluded.updated_at, revision = ${mtaStsPolicies}.revision + 1
      where ${mtaStsPolicies}.text is distinct from excluded.text
      returning revision
    ), version as (
      insert into ${policyVersions} (domain_id, policy_id, text, first_served_at)
      select ${policy.domainId}::text, ${policy.policyId}::text, ${policy.text}::text, ${at}::bigint
      where exists (select from policy)
      on conflict do nothing
    ), high as (
      update ${domains} set max_age_high = greatest(coalesce(max_age_high, 0), ${raise}::bigint)
      where id = ${policy.domainId} and ${raise}::bigint is not null and exists (select from policy)
    ), audit as (
      insert into ${auditLog} (at, tenant_id, actor_token_id, action, subject, detail)
      select ${audit.at.getTime()}::bigint, ${audit.tenantId}::text, ${audit.actorTokenId}::text,
        ${audit.action}::text, ${audit.subject}::text,
        ${audit.detail === undefined ? null : JSON.stringify(audit.detail)}::jsonb
      where exists (select from policy)
    )
    select revision${announce} from policy`
}

/** Per connection, node-postgres prepares a named statement on first use and reuses it. */
const PUT_STATEMENT = 'policies_put'
const ANNOUNCING_PUT_STATEMENT = 'policies_put_announcing'
const dialect = new PgDialect()

export function policyRepo(db: PgDb): PolicyRepo {
  // The API reads the policy (GET, and the answer to a no-op put): prepared once per connection.
  const { revision: _, ...stored } = getTableColumns(mtaStsPolicies)
  const ofDomain = db
    .select(stored)
    .from(mtaStsPolicies)
    .where(eq(mtaStsPolicies.domainId, sql.placeholder('domainId')))
    .prepare('policies_of_domain')
  return {
    async get(domainId) {
      const [row] = await ofDomain.execute({ domainId })
      return row ?? null
    },
    async versions(domainId) {
      return (
        db
          .select({ policyId: policyVersions.policyId, text: policyVersions.text })
          .from(policyVersions)
          .where(eq(policyVersions.domainId, domainId))
          // Ties broken in byte order, as SQLite does, whatever the database's collation.
          .orderBy(
            desc(policyVersions.firstServedAt),
            sql`${policyVersions.policyId} collate "C" desc`,
          )
      )
    },
    async put(policy, audit, announcement) {
      const statement = putStatement(policy, audit, announcement)
      const { sql: text, params } = dialect.sqlToQuery(statement)
      const { rows } = await db.$client.query<{ revision: string | number }>({
        name: announcement ? ANNOUNCING_PUT_STATEMENT : PUT_STATEMENT,
        text,
        values: params,
      })
      // No row: the stored text was already this one, and nothing was written.
      return rows[0] === undefined ? null : Number(rows[0].revision)
    },
  }
}
