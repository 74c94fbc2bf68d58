/**
 * The PostgreSQL change feed (issue 15) on a real PostgreSQL 15: events cross processes (here:
 * feeds with their own pools and listeners) in well under a second, a sender does not get its
 * own back, a listener that loses its server reconnects and reports the gap as `reconcile`.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Change } from '../../core/changes.js'
import { openPostgres, type OpenPg } from '../pg/database.js'
import { createLogger } from '../log/logger.js'
import { inProcessFeed } from './in-process.js'
import { announcement, CHANGE_CHANNEL, pgChangeFeed, type PgChangeFeed } from './pg-notify.js'
import {
  SKIP_POSTGRES,
  SKIP_POSTGRES_NOTE,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js'

const log = createLogger('error', () => {})

interface Node {
  feed: PgChangeFeed
  seen: Change[]
  open: OpenPg
}

function node(server: TestPostgres, origin: string, reconcileMs = 0): Node {
  const open = openPostgres(server.url, { max: 2 })
  const local = inProcessFeed(log)
  const seen: Change[] = []
  local.subscribe((c) => void seen.push(c))
  const feed = pgChangeFeed({
    pool: open.pool,
    url: server.url,
    local,
    origin,
    log,
    reconcileMs,
    reconnectMs: 100,
  })
  return { feed, seen, open }
}

async function until(check: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now()
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
  return Date.now() - t0
}

const policyChange: Change = {
  type: 'domain.changed',
  domainId: 'd1',
  domain: 'a.example',
  what: 'policy',
}

describe('announcement: a policy event with its revision left open', () => {
  test.each([0, 7, 9_007_199_254_740_991])(
    'when the store fills in revision %i, then the payload is the event with that revision',
    (revision) => {
      const text = 'version: STSv1\r\nmode: "testing"\r\n\u00e9\u2028'
      const change: Change = { ...policyChange, policy: { text, revision: 123 } }

      const { head, tail } = announcement('origin-1', change)!

      expect(JSON.parse(`${head}${revision}${tail}`)).toEqual({
        o: 'origin-1',
        c: { ...policyChange, policy: { text, revision } },
      })
    },
  )

  test('when the text would take the payload over the limit, or the event carries none, then there is no announcement', () => {
    const near = { ...policyChange, policy: { text: 'x'.repeat(7700), revision: 1 } }
    const over = { ...policyChange, policy: { text: 'é'.repeat(3900), revision: 1 } }

    expect(announcement('o', near)).not.toBeNull()
    // 7,800 bytes in UTF-8, though 3,900 characters.
    expect(announcement('o', over)).toBeNull()
    expect(announcement('o', policyChange)).toBeNull()
    expect(announcement('o', { type: 'tenant.changed', tenantId: 't' })).toBeNull()
  })
})

describe.skipIf(SKIP_POSTGRES)(`PostgreSQL change feed${SKIP_POSTGRES_NOTE}`, () => {
  let server: TestPostgres
  const nodes: Node[] = []
  const add = (origin: string, reconcileMs = 0) => {
    const n = node(server, origin, reconcileMs)
    nodes.push(n)
    return n
  }

  beforeAll(async () => {
    server = await startPostgres()
  })
  afterAll(async () => {
    for (const n of nodes) {
      await n.feed.stop()
      await n.open.close().catch(() => {})
    }
    await server?.stop()
  })

  test('when one instance publishes, then the others get the event within 1 s and the sender gets it once', async () => {
    const [a, b, c] = [add('a'), add('b'), add('c')]
    await Promise.all([a.feed.start(), b.feed.start(), c.feed.start()])
    // The first connection is the caller's full load: no reconcile for it.
    expect([...a.seen, ...b.seen, ...c.seen]).toEqual([])
    await a.feed.publish(policyChange)
    expect(a.seen).toEqual([policyChange])
    const ms = await until(() => b.seen.length === 1 && c.seen.length === 1, 1000)
    expect(ms).toBeLessThan(1000)
    expect(b.seen).toEqual([policyChange])
    expect(c.seen).toEqual([policyChange])
    await new Promise((r) => setTimeout(r, 100))
    expect(a.seen).toEqual([policyChange])
  })

  test('when an event is too large for NOTIFY, then the others are told to reconcile instead', async () => {
    const [a, b] = [add('big-a'), add('big-b')]
    await Promise.all([a.feed.start(), b.feed.start()])
    const hostnames = Array.from(
      { length: 400 },
      (_, i) => `logo${i}.a-rather-long-domain-name.example`,
    )
    await a.feed.publish({ type: 'domain.removed', domainId: 'd', domain: 'x.example', hostnames })
    await until(() => b.seen.length === 1, 1000)
    expect(b.seen).toEqual([{ type: 'reconcile' }])
  })

  test('when a policy write carries its text, then the others get the text; too large for NOTIFY, the event names only', async () => {
    const [a, b] = [add('carry-a'), add('carry-b')]
    await Promise.all([a.feed.start(), b.feed.start()])
    const small: Change = { ...policyChange, policy: { text: 'version: STSv1\r\n', revision: 7 } }
    await a.feed.publish(small)
    await until(() => b.seen.length === 1, 1000)
    expect(b.seen).toEqual([small])
    // Over the payload limit: the others read the policy instead of reloading everything.
    const big: Change = { ...policyChange, policy: { text: 'x'.repeat(9000), revision: 8 } }
    await a.feed.publish(big)
    await until(() => b.seen.length === 2, 1000)
    expect(b.seen[1]).toEqual(policyChange)
    expect(a.seen[1]).toEqual(big)
  })

  test('when a notification carries a policy that is not text with a whole revision, then the event names only', async () => {
    const b = add('sane-b')
    await b.feed.start()
    const other = new pg.Client({ connectionString: server.url })
    await other.connect()
    try {
      for (const policy of [
        { text: 5, revision: 1 },
        { text: 'x', revision: 'one' },
        { text: 'x' },
      ]) {
        const payload = JSON.stringify({ o: 'someone', c: { ...policyChange, policy } })
        await other.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload])
      }
    } finally {
      await other.end()
    }
    await until(() => b.seen.length === 3, 1000)
    expect(b.seen).toEqual([policyChange, policyChange, policyChange])
  })

  test('when the server goes away and comes back, then the listener reconnects, reports the gap and gets events again', async () => {
    const [a, b] = [add('gap-a'), add('gap-b')]
    await Promise.all([a.feed.start(), b.feed.start()])
    await server.stopForAWhile()
    // Publishing while the server is down: delivered locally, the NOTIFY fails, nothing throws.
    await a.feed.publish(policyChange)
    expect(a.seen).toEqual([policyChange])
    await server.restart()
    await until(() => b.seen.some((c) => c.type === 'reconcile'), 20_000)
    b.seen.length = 0
    await until(() => a.seen.some((c) => c.type === 'reconcile'), 20_000)
    await a.feed.publish(policyChange)
    await until(() => b.seen.length === 1, 1000)
    expect(b.seen).toEqual([policyChange])
  })

  test('when a reconcile period is set, then the feed publishes reconcile on that period', async () => {
    const a = add('tick', 150)
    await a.feed.start()
    await until(() => a.seen.filter((c) => c.type === 'reconcile').length >= 2, 2000)
  })
})
