import { afterEach, describe, expect, it } from 'vitest'
import {
  alphaWithDomain,
  failure,
  serviceWorld,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { failedDeliveries } from './failed-deliveries.js'
import { addWebhook } from './webhooks.js'

let world: ServiceWorld
afterEach(() => world.close())

/** A finding on alpha.example queued to every webhook, as the dispatcher queues it. */
async function queueFinding(tenantId: string, domainId: string) {
  const repos = world.deps.repos
  await repos.checks.record({
    domainId,
    tenantId,
    domain: 'alpha.example',
    at: world.clock.now(),
    ran: ['mx'],
    found: [{ kind: 'mx', key: 'mx:x', severity: 'error', message: 'mx not covered' }],
    skipped: [],
  })
  await repos.alerts.enqueue(world.clock.now(), world.deps.newId, 10)
  return repos.alerts.due(new Date(world.clock.now().getTime() + 60_000), 10)
}

describe('failedDeliveries', () => {
  it('when one delivery failed for good and one went through, then only the failure is listed, with its tenant, target and answer', async () => {
    world = await serviceWorld()
    const { a, domain } = await alphaWithDomain(world)
    const bad = await addWebhook(world.deps, a.actor, { url: 'https://bad.example/hook' })
    await addWebhook(world.deps, a.actor, { url: 'https://good.example/hook' })
    const due = await queueFinding(a.id, domain.id)
    for (const d of due) {
      const failed = d.target.id === bad.id
      await world.deps.repos.alerts.settle(
        d.id,
        {
          status: failed ? 'failed' : 'delivered',
          attempts: failed ? 5 : 1,
          nextAttemptAt: null,
          lastStatus: failed ? 404 : 204,
          lastReason: failed ? 'http 404' : null,
        },
        world.clock.now(),
      )
    }

    const r = await failedDeliveries(world.deps, world.operator, { limit: 10 })

    expect(due).toHaveLength(2)
    expect(r.partial).toBe(false)
    expect(r.items).toEqual([
      expect.objectContaining({
        tenantName: 'alpha',
        channel: 'webhook',
        target: 'https://bad.example/hook',
        lastStatus: 404,
        lastReason: 'http 404',
        attempts: 5,
      }),
    ])
  })

  it('when a tenant asks, then it is refused', async () => {
    world = await serviceWorld()
    const { actor } = await world.tenant('alpha')

    expect((await failure(failedDeliveries(world.deps, actor, { limit: 5 }))).code).toBe(
      'FORBIDDEN',
    )
  })
})
