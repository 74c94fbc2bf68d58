/**
 * A policy write announces itself on PostgreSQL (core/changes.ts, `announcing`): the write's one
 * statement also sends its event, delivered at its commit, so a write costs one round trip and
 * the others get exactly what was committed (bench row 15c1). Two instances' repositories and
 * feeds on one real PostgreSQL 15, and a plain listener counting what was sent.
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { Change } from '../../../core/changes.js'
import type { AuditEntry, Repos, StoredPolicy } from '../../../core/ports.js'
import { inProcessFeed } from '../../changes/in-process.js'
import { CHANGE_CHANNEL, pgChangeFeed, type PgChangeFeed } from '../../changes/pg-notify.js'
import { createLogger } from '../../log/logger.js'
import { openPostgres, type OpenPg } from '../database.js'
import { pgRepos } from './index.js'
import { freshPgDatabase } from '../../../../test/helpers/pg-databases.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from '../../../../test/helpers/postgres.js'

const log = createLogger('error', () => {})
const AUDIT: AuditEntry = {
  at: new Date(0),
  tenantId: null,
  actorTokenId: null,
  action: 'policy.put',
  subject: 'a.example',
}
const policy = (text: string, domainId = 'd1'): StoredPolicy => ({
  domainId,
  mode: 'testing',
  mx: ['mx.a.example'],
  maxAge: 86400,
  policyId: 'p',
  text,
  updatedAt: new Date(0),
})

interface Instance {
  open: OpenPg
  feed: PgChangeFeed
  repos: Repos
  seen: Change[]
  /** The SQL of each round trip on the instance's pool since the last `forget()`. */
  queries(): string[]
  forget(): void
}

async function instance(url: string, origin: string): Promise<Instance> {
  const open = openPostgres(url, { max: 2 })
  const local = inProcessFeed(log)
  const seen: Change[] = []
  local.subscribe((c) => void seen.push(c))
  const feed = pgChangeFeed({ pool: open.pool, url, local, origin, log, reconcileMs: 0 })
  await feed.start()
  const query = vi.spyOn(open.pool, 'query')
  const queries = () =>
    query.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text))
  return { open, feed, repos: pgRepos(open, feed), seen, queries, forget: () => query.mockClear() }
}

async function until(check: () => boolean, ms = 1000): Promise<void> {
  const t0 = Date.now()
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe.skipIf(SKIP_POSTGRES)(
  `PostgreSQL: a policy write announces itself${SKIP_POSTGRES_NOTE}`,
  () => {
    let a: Instance
    let b: Instance
    let listener: pg.Client
    const sent: string[] = []

    beforeEach(async () => {
      const url = await freshPgDatabase()
      a = await instance(url, 'instance-a')
      b = await instance(url, 'instance-b')
      await a.open.pool.query(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
      await a.open.pool.query(
        `INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'a.example', 'active', 0)`,
      )
      listener = new pg.Client({ connectionString: url })
      await listener.connect()
      listener.on('notification', (m) => void sent.push(m.payload ?? ''))
      await listener.query(`LISTEN ${CHANGE_CHANNEL}`)
      sent.length = 0
    })
    afterEach(async () => {
      await listener.end()
      for (const i of [a, b]) {
        await i.feed.stop()
        await i.open.close()
      }
    })

    test('when a policy is put, then one statement writes and notifies: the others get the committed revision, the writer its event once', async () => {
      await a.repos.policies.put(policy('version: STSv1\r\nmode: testing\r\n'), AUDIT)
      await until(() => b.seen.length === 1)
      a.forget()

      const revision = await a.repos.policies.put(
        policy('version: STSv1\r\nmode: enforce\r\n'),
        AUDIT,
      )

      // One round trip: no NOTIFY of its own after the write (and the name was asked once, before).
      expect(a.queries()).toHaveLength(1)
      expect(a.queries()[0]).toContain('pg_notify')
      const event: Change = {
        type: 'domain.changed',
        domainId: 'd1',
        domain: 'a.example',
        what: 'policy',
        policy: { text: 'version: STSv1\r\nmode: enforce\r\n', revision: 2 },
      }
      expect(revision).toBe(2)
      await until(() => b.seen.length === 2 && sent.length === 2)
      expect(b.seen[1]).toEqual(event)
      expect(JSON.parse(sent[1]!)).toEqual({ o: 'instance-a', c: event })
      // The writer's own notification is not delivered twice.
      await new Promise((r) => setTimeout(r, 100))
      expect(a.seen).toHaveLength(2)
      expect(a.seen[1]).toEqual(event)
    })

    test('when the stored text is put again, or a put fails, then nothing is announced', async () => {
      const text = 'version: STSv1\r\nmode: testing\r\n'
      await a.repos.policies.put(policy(text), AUDIT)
      await until(() => sent.length === 1)

      expect(await a.repos.policies.put(policy(text), AUDIT)).toBeNull()
      // The domain is gone: the write fails, and with it the notification.
      await expect(a.repos.policies.put(policy(`${text}# 2\r\n`, 'gone'), AUDIT)).rejects.toThrow()
      // A later write's notification arrives after any the two above would have sent.
      await a.repos.policies.put(policy(`${text}# 3\r\n`), AUDIT)

      await until(() => sent.length >= 2)
      await new Promise((r) => setTimeout(r, 100))
      expect(
        sent.map(
          (p) => (JSON.parse(p) as { c: { policy?: { revision: number } } }).c.policy?.revision,
        ),
      ).toEqual([1, 2])
      expect(a.seen).toHaveLength(2)
    })

    test('when the text is too large to be carried, then the write is published after it as before, naming only', async () => {
      const big = `version: STSv1\r\nmode: testing\r\n${'# padding\r\n'.repeat(800)}`
      a.forget()

      expect(await a.repos.policies.put(policy(big), AUDIT)).toBe(1)

      expect(a.queries().filter((q) => q.includes('pg_notify'))).toEqual([
        'SELECT pg_notify($1, $2)',
      ])
      await until(() => b.seen.length === 1)
      expect(b.seen[0]).toEqual({
        type: 'domain.changed',
        domainId: 'd1',
        domain: 'a.example',
        what: 'policy',
      })
      expect(a.seen[0]).toMatchObject({ policy: { text: big, revision: 1 } })
    })
  },
)
