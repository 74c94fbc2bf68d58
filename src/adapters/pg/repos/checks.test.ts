import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  contended,
  lockWaiters,
  openTestStore,
  STORE_KINDS,
  type TestStore,
} from '../../../../test/helpers/repo-stores.js'
import type { CheckRepo, CheckRun } from '../../../core/checks/check-ports.js'
import type { Finding } from '../../../core/checks/findings.js'
import { checkRepo as sqliteCheckRepo } from '../../db/repos/checks.js'
import { checkRepo } from './checks.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

const uncovered = (host: string, severity: Finding['severity'] = 'error'): Finding => ({
  kind: 'mx',
  key: `mx:uncovered:${host}`,
  severity,
  message: `${host} is not in the policy's mx list`,
})

const run = (ms: number, o: Partial<CheckRun> = {}): CheckRun => ({
  domainId: 'd1',
  tenantId: 't1',
  domain: 'alpha.example',
  at: at(ms),
  ran: ['mx'],
  found: [],
  skipped: [],
  ...o,
})

describe.each(STORE_KINDS)('CheckRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: CheckRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    for (const [id, status] of [
      ['d1', 'active'],
      ['d2', 'active'],
      ['d3', 'active'],
      ['dp', 'pending'],
    ]) {
      await store.sql(
        "INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES (?, 't1', ?, ?, 0)",
        id,
        `${id}.example`,
        status,
      )
    }
    repo = store.kind === 'sqlite' ? sqliteCheckRepo(store.sqlite) : checkRepo(store.pg.db)
  })
  afterEach(() => store.close())

  it('when a problem is found twice, then fixed, then it opens once, resolves once, and history pages newest first', async () => {
    const first = await repo.record(run(0, { found: [uncovered('mx3.example.com')] }))
    const again = await repo.record(run(1000, { found: [uncovered('mx3.example.com')] }))
    const open = await repo.state('d1')
    const fixed = await repo.record(run(2000))

    expect(first).toEqual([{ change: 'opened', finding: uncovered('mx3.example.com') }])
    expect(again).toEqual([])
    expect(open.findings).toEqual([{ ...uncovered('mx3.example.com'), openedAt: T0 }])
    expect(fixed.map((c) => c.change)).toEqual(['resolved'])
    expect((await repo.state('d1')).findings).toEqual([])
    const history = await repo.history('d1', 10)
    expect(history.map((e) => [e.change, e.at])).toEqual([
      ['resolved', at(2000)],
      ['opened', T0],
    ])
    expect(history[1]).toMatchObject({ domainId: 'd1', domain: 'alpha.example', kind: 'mx' })
    expect(await repo.history('d1', 1)).toEqual([history[0]])
    expect(await repo.history('d1', 10, history[0]!.id)).toEqual([history[1]])
    expect(await repo.history('d2', 10)).toEqual([])
  })

  it('when several findings change in one run, then each is one event and open findings keep their first time', async () => {
    await repo.record(run(0, { found: [uncovered('a.example'), uncovered('b.example')] }))

    const changes = await repo.record(
      run(1000, { found: [uncovered('a.example', 'warning'), uncovered('c.example')] }),
    )

    expect(changes.map((c) => [c.change, c.finding.key]).sort()).toEqual([
      ['opened', 'mx:uncovered:c.example'],
      ['resolved', 'mx:uncovered:b.example'],
      ['severity', 'mx:uncovered:a.example'],
    ])
    expect((await repo.history('d1', 10)).map((e) => e.change).sort()).toEqual([
      'opened',
      'opened',
      'opened',
      'resolved',
      'severity',
    ])
    expect((await repo.state('d1')).findings).toEqual([
      { ...uncovered('a.example', 'warning'), openedAt: T0 },
      { ...uncovered('c.example'), openedAt: at(1000) },
    ])
  })

  it('when a kind is skipped, then its findings stay open and status says why it is stale', async () => {
    await repo.record(run(0, { ran: ['mx', 'sts-record'], found: [uncovered('mx3.example.com')] }))

    const changes = await repo.record(
      run(1000, {
        ran: ['sts-record'],
        skipped: [{ kind: 'mx', reason: 'MX lookup failed: SERVFAIL' }],
      }),
    )

    expect(changes).toEqual([])
    const state = await repo.state('d1')
    expect(state.findings.map((f) => f.key)).toEqual(['mx:uncovered:mx3.example.com'])
    expect(state.runs).toEqual([
      { kind: 'mx', ranAt: at(1000), skipped: 'MX lookup failed: SERVFAIL' },
      { kind: 'sts-record', ranAt: at(1000), skipped: null },
    ])
  })

  it('when the domain is removed, then its findings go and its history stays', async () => {
    await repo.record(run(0, { found: [uncovered('mx3.example.com', 'warning')] }))

    await store.sql("DELETE FROM domains WHERE id = 'd1'")

    expect(await repo.state('d1')).toEqual({ findings: [], runs: [] })
    expect(await repo.history('d1', 10)).toMatchObject([
      { change: 'opened', domain: 'alpha.example', severity: 'warning' },
    ])
  })

  it('when batches are due, then never-checked live domains come first, then the longest unchecked, pending never', async () => {
    await repo.record(run(5000, { domainId: 'd1', ran: ['sts-record'] }))
    await repo.record(run(1000, { domainId: 'd2', ran: ['sts-record'] }))
    // A run without sts-record does not count as the domain's check.
    await repo.record(run(9000, { domainId: 'd3', ran: ['mx'] }))

    expect(await repo.due(at(6000), 10)).toEqual(['d3', 'd2', 'd1'])
    expect(await repo.due(at(5000), 10)).toEqual(['d3', 'd2'])
    expect(await repo.due(at(6000), 2)).toEqual(['d3', 'd2'])
    expect(await repo.liveCount()).toBe(3)
  })

  it('when two runs of a domain store the same change at once, then it is reported and recorded once', async () => {
    await repo.record(run(0, { found: [uncovered('gone.example')] }))

    // On PostgreSQL both start while the open finding's row is held, so that both are in flight.
    const [a, b] = await contended(
      store,
      "SELECT 1 FROM domain_findings WHERE domain_id = 'd1' FOR UPDATE",
      () =>
        Promise.all([
          repo.record(run(1000, { found: [uncovered('new.example')] })),
          repo.record(run(1000, { found: [uncovered('new.example')] })),
        ]),
    )

    expect([...a, ...b].map((c) => c.change).sort()).toEqual(['opened', 'resolved'])
    expect((await repo.history('d1', 10)).map((e) => e.change)).toHaveLength(3)
    expect((await repo.state('d1')).findings.map((f) => f.key)).toEqual([
      'mx:uncovered:new.example',
    ])
  })

  it.skipIf(kind === 'sqlite')(
    "when a run's changes are in flight, then another domain's wait for them, so event ids commit in order (the alerts' cursor skips none)",
    async () => {
      await repo.record(run(0))
      const blocker = await store.pg!.pool.connect()
      try {
        await blocker.query('BEGIN')
        // Holds the first run after it has inserted its event, before it commits.
        await blocker.query(
          "SELECT 1 FROM check_runs WHERE domain_id = 'd1' AND kind = 'mx' FOR UPDATE",
        )
        const first = repo.record(run(1000, { found: [uncovered('a.example')] }))
        await lockWaiters(store, 1)
        const second = repo.record(run(1000, { domainId: 'd2', found: [uncovered('b.example')] }))
        await lockWaiters(store, 2)
        const committed = await store.sql('SELECT id FROM finding_events')
        await blocker.query('COMMIT')
        await Promise.all([first, second])

        expect(committed).toEqual([])
        const [one] = await repo.history('d1', 1)
        const [two] = await repo.history('d2', 1)
        expect(one!.id).toBeLessThan(two!.id)
      } finally {
        await blocker.query('ROLLBACK')
        blocker.release()
      }
    },
  )
})
