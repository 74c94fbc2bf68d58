import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld } from '../../../../test/helpers/services.js'
import type { CheckRun } from '../../../core/checks/check-ports.js'
import type { Finding } from '../../../core/checks/findings.js'
import { addDomain } from '../../../services/domains/domains.js'

let world: ServiceWorld
afterEach(() => world.close())

const uncovered = (host: string, severity: Finding['severity'] = 'error'): Finding => ({
  kind: 'mx',
  key: `mx:uncovered:${host}`,
  severity,
  message: `${host} is not in the policy's mx list`,
})

async function domain() {
  world = await serviceWorld()
  const t = await world.tenant('alpha')
  const d = await addDomain(world.deps, t.actor, { name: 'alpha.example' })
  world.changes.length = 0
  const run = (at: number, over: Partial<CheckRun>): CheckRun => ({
    domainId: d.id,
    tenantId: t.id,
    domain: 'alpha.example',
    at: new Date(START.getTime() + at),
    ran: ['mx'],
    found: [],
    skipped: [],
    ...over,
  })
  return { d, run }
}

describe('check repository', () => {
  it('when the same problem is found twice and then fixed, then it opens once, resolves once, and the history says so newest first', async () => {
    const { d, run } = await domain()
    const repo = world.deps.repos.checks

    const first = await repo.record(run(0, { found: [uncovered('mx3.example.com')] }))
    const again = await repo.record(run(1000, { found: [uncovered('mx3.example.com')] }))
    const open = await repo.state(d.id)
    const fixed = await repo.record(run(2000, {}))

    expect(first.map((c) => c.change)).toEqual(['opened'])
    expect(again).toEqual([])
    expect(open.findings).toMatchObject([{ key: 'mx:uncovered:mx3.example.com', openedAt: START }])
    expect(fixed.map((c) => c.change)).toEqual(['resolved'])
    expect((await repo.state(d.id)).findings).toEqual([])
    const history = await repo.history(d.id, 10)
    expect(history.map((e) => e.change)).toEqual(['resolved', 'opened'])
    expect(await repo.history(d.id, 10, history[0]?.id)).toHaveLength(1)
    // Published on the change port only when something changed (alerts react to it).
    expect(world.changes.filter((c) => c.type === 'checks.changed')).toHaveLength(2)
  })

  it('when a kind is skipped, then its findings stay open and status says why it is stale', async () => {
    const { d, run } = await domain()
    const repo = world.deps.repos.checks
    await repo.record(run(0, { found: [uncovered('mx3.example.com')] }))

    const changes = await repo.record(
      run(1000, { ran: [], skipped: [{ kind: 'mx', reason: 'MX lookup failed: SERVFAIL' }] }),
    )

    expect(changes).toEqual([])
    const state = await repo.state(d.id)
    expect(state.findings.map((f) => f.key)).toEqual(['mx:uncovered:mx3.example.com'])
    expect(state.runs).toMatchObject([{ kind: 'mx', skipped: 'MX lookup failed: SERVFAIL' }])
  })

  it('when the domain is removed, then its findings go and its history stays', async () => {
    const { d, run } = await domain()
    const repo = world.deps.repos.checks
    await repo.record(run(0, { found: [uncovered('mx3.example.com', 'warning')] }))

    await world.store.sql('delete from domains where id = ?', d.id)

    expect((await repo.state(d.id)).findings).toEqual([])
    expect(await repo.history(d.id, 10)).toMatchObject([
      { change: 'opened', domain: 'alpha.example', severity: 'warning' },
    ])
  })
})
