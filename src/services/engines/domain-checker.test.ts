import { afterEach, describe, expect, it } from 'vitest'
import { alphaWithDomain, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { DomainChecker } from './domain-checker.js'

let world: ServiceWorld
let checker: DomainChecker
afterEach(async () => {
  checker.stop()
  await checker.settled()
  await world.close()
})

const HOUR = 3_600_000
const POLICY = { mode: 'enforce' as const, mx: ['mx1.alpha.example'], maxAge: 86400 }

function started(opts: { intervalMs?: number; tickMs?: number; settleMs?: number } = {}) {
  checker = new DomainChecker({
    deps: world.deps,
    log: world.deps.log,
    intervalMs: opts.intervalMs ?? 6 * HOUR,
    tickMs: opts.tickMs ?? 60_000,
    settleMs: opts.settleMs ?? 0,
  })
  world.feed.subscribe((c) => checker.apply(c))
  return checker
}

const lastChecked = async (domainId: string) =>
  (await world.deps.repos.checks.state(domainId)).runs.find((r) => r.kind === 'sts-record')?.ranAt

describe('the domain checker in the background (issue 13)', () => {
  it('when a policy changes, then the domain is checked soon after, once for the burst', async () => {
    world = await serviceWorld()
    const { a, domain } = await alphaWithDomain(world)
    // A burst is what comes within settleMs; two writes take a few ms on SQLite, more on
    // PostgreSQL (TEST_STORE=postgres), so the window is wider than either.
    started({ settleMs: 250 })
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])
    let runs = 0
    const record = world.deps.repos.checks.record.bind(world.deps.repos.checks)
    world.deps.repos.checks.record = async (run) => {
      runs++
      return record(run)
    }

    await setPolicy(world.deps, a.actor, 'alpha.example', POLICY)
    await setPolicy(world.deps, a.actor, 'alpha.example', { ...POLICY, maxAge: 90000 })
    await new Promise((r) => setTimeout(r, 300))
    await checker.settled()

    expect(runs).toBe(1)
    const state = await world.deps.repos.checks.state(domain.id)
    // No _mta-sts record is published in this world, and the MX is outside the policy.
    expect(state.findings.map((f) => f.key)).toEqual([
      'mx:uncovered:mx9.elsewhere.example',
      'sts-record:missing',
    ])
  })

  it('when ticks come, then each checks a batch sized so every domain comes round once per interval, the unchecked first', async () => {
    world = await serviceWorld()
    const t = await world.tenant('alpha')
    const ids: string[] = []
    for (let i = 0; i < 10; i++)
      ids.push((await addDomain(world.deps, t.actor, { name: `d${i}.example` })).id)
    // 10 domains, an interval of 5 ticks: 2 per tick.
    started({ intervalMs: 5 * 60_000, tickMs: 60_000 })
    const now = world.clock.now()

    const first = await checker.tick(now)
    const checked = (await Promise.all(ids.map(lastChecked))).filter(Boolean).length
    let total = first
    for (let i = 0; i < 4; i++) total += await checker.tick(now)
    const sixth = await checker.tick(now)

    expect(first).toBe(2)
    expect(checked).toBe(2)
    expect(total).toBe(10)
    // Everyone was checked within the interval: nothing is due again yet.
    expect(sixth).toBe(0)
    expect((await Promise.all(ids.map(lastChecked))).every(Boolean)).toBe(true)
  })

  it('when a check throws, then it is logged and the rest of the batch is checked', async () => {
    world = await serviceWorld()
    const t = await world.tenant('alpha')
    const a = await addDomain(world.deps, t.actor, { name: 'a.example' })
    const b = await addDomain(world.deps, t.actor, { name: 'b.example' })
    const record = world.deps.repos.checks.record.bind(world.deps.repos.checks)
    world.deps.repos.checks.record = async (run) => {
      if (run.domainId === a.id) throw new Error('disk full')
      return record(run)
    }
    started({ intervalMs: 60_000, tickMs: 60_000 })

    await checker.tick(world.clock.now())

    expect(world.logged('check_failed')).toMatchObject([{ domainId: a.id, error: 'disk full' }])
    expect(await lastChecked(b.id)).toBeDefined()
  })
})
