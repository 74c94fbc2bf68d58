import { afterEach, describe, expect, it } from 'vitest'
import { alphaWithDomain, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import type { WebhookDelivery, DeliveryResult } from '../../core/alerts/alert-ports.js'
import { addWebhook, webhookDeliveries } from '../alerts/webhooks.js'
import { checkDomain } from '../checks/check-domain.js'
import { getDomain } from '../domains/domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { AlertDispatcher } from './alert-dispatcher.js'

let world: ServiceWorld
afterEach(() => world.close())

/**
 * The checker and dispatcher as the server wires them, with a receiver standing in for the
 * webhook adapter (its own tests use real sockets): it records each delivery and answers
 * what `answer` says.
 */
async function wired() {
  world = await serviceWorld()
  const { a } = await alphaWithDomain(world)
  const policy = await setPolicy(world.deps, a.actor, 'alpha.example', {
    mode: 'enforce',
    mx: ['mx1.alpha.example'],
    maxAge: 86400,
  })
  world.dns.txts.set('_mta-sts.alpha.example', [`v=STSv1; id=${policy.policyId}`])
  world.dns.mxs.set('alpha.example', ['mx1.alpha.example'])
  const received: WebhookDelivery[] = []
  const receiver = { answer: { ok: true, status: 204, ms: 1 } as DeliveryResult }
  const dispatcher = new AlertDispatcher({
    deps: world.deps,
    sender: { send: async (d) => (received.push(d), receiver.answer) },
    log: world.deps.log,
  })
  world.feed.subscribe((c) => dispatcher.apply(c))
  const hook = await addWebhook(world.deps, a.actor, {
    url: 'https://hooks.alpha.example/policyhost',
  })
  const check = async () => {
    await checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
    await dispatcher.settled()
  }
  const bodies = () => received.map((d) => JSON.parse(d.body) as { type: string; key: string })
  return { a, hook, dispatcher, received, receiver, check, bodies }
}

describe('alerts by webhook (issue 13)', () => {
  it('when a problem opens, repeats and resolves, then the webhook gets exactly two alerts, with its secret', async () => {
    const { hook, received, check, bodies } = await wired()
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])

    await check()
    await check()
    world.dns.mxs.set('alpha.example', ['mx1.alpha.example'])
    await check()

    expect(bodies().map((b) => `${b.type} ${b.key}`)).toEqual([
      'finding.opened mx:uncovered:mx9.elsewhere.example',
      'finding.resolved mx:uncovered:mx9.elsewhere.example',
    ])
    // Signed by the adapter with this webhook's own secret (its tests check the signature).
    expect(received.every((d) => d.url === hook.url && d.secret === hook.secret)).toBe(true)
  })

  it('when the receiver fails with a retryable answer, then the delivery waits on the ladder and is sent again once due', async () => {
    const { a, hook, dispatcher, received, receiver, check } = await wired()
    receiver.answer = { ok: false, reason: 'HTTP 503', status: 503, retryable: true, ms: 1 }
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])

    await check()
    await dispatcher.tick()
    const waiting = await webhookDeliveries(world.deps, a.actor, hook.id, { limit: 10 })
    world.clock.advance(61)
    receiver.answer = { ok: true, status: 200, ms: 1 }
    await dispatcher.tick()
    const done = await webhookDeliveries(world.deps, a.actor, hook.id, { limit: 10 })

    expect(received).toHaveLength(2)
    expect(received[0]!.deliveryId).toBe(received[1]!.deliveryId)
    expect(waiting).toMatchObject([
      { status: 'pending', attempts: 1, lastStatus: 503, lastReason: 'HTTP 503' },
    ])
    expect(done).toMatchObject([{ status: 'delivered', attempts: 2, lastReason: null }])
  })

  it('when the receiver refuses for good, then the delivery is failed and not retried', async () => {
    const { a, hook, dispatcher, received, receiver, check } = await wired()
    receiver.answer = { ok: false, reason: 'HTTP 404', status: 404, retryable: false, ms: 1 }
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])

    await check()
    world.clock.advance(86_400)
    await dispatcher.tick()

    expect(received).toHaveLength(1)
    expect(await webhookDeliveries(world.deps, a.actor, hook.id, { limit: 10 })).toMatchObject([
      { status: 'failed', attempts: 1 },
    ])
  })

  it("when another tenant's domain changes, then this tenant's webhook hears nothing", async () => {
    const { received, check } = await wired()
    const b = await world.tenant('bravo')
    const { addDomain } = await import('../domains/domains.js')
    const other = await addDomain(world.deps, b.actor, { name: 'bravo.example' })
    world.dns.mxs.set('bravo.example', ['x.example'])
    await setPolicy(world.deps, b.actor, 'bravo.example', {
      mode: 'enforce',
      mx: ['mx.bravo.example'],
      maxAge: 86400,
    })

    await checkDomain(world.deps, other)
    await check()

    expect(received).toEqual([])
  })
})
