import { afterEach, describe, expect, it } from 'vitest'
import { failure, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import type { CertState, CertStatus } from '../../core/certs/types.js'
import { certificateOverview, FAILING_SHOWN } from './cert-overview.js'

let world: ServiceWorld
afterEach(() => world.close())

function state(hostname: string, status: CertStatus, over: Partial<CertState> = {}): CertState {
  const now = world.clock.now()
  return {
    hostname,
    status,
    issuerName: null,
    serial: null,
    issuer: null,
    notBefore: null,
    notAfter: null,
    renewAt: null,
    dueAt: now,
    failures: status === 'failed' ? 1 : 0,
    lastError: status === 'failed' ? `order for ${hostname} failed` : null,
    lastAttemptAt: now,
    dnsStatus: null,
    dnsDetail: null,
    updatedAt: now,
    ...over,
  }
}

describe('certificateOverview', () => {
  it('when certificates are in every state, then each is counted, expired ones too, and the failing come with their error, most failures first', async () => {
    world = await serviceWorld()
    const past = new Date(world.clock.now().getTime() - 1000)
    const future = new Date(world.clock.now().getTime() + 86_400_000)
    for (const s of [
      state('a.example', 'ok', { notAfter: future }),
      state('b.example', 'ok', { notAfter: past }),
      state('c.example', 'pending'),
      state('d.example', 'dns_pending'),
      state('e.example', 'failed', { failures: 2 }),
      state('f.example', 'failed', { failures: 7, lastError: 'rate limited' }),
    ]) {
      await world.deps.repos.certs.save(s)
    }

    const o = await certificateOverview(world.deps, world.operator)

    expect(o.counts).toEqual({ ok: 2, pending: 1, dns_pending: 1, failed: 2 })
    expect(o.expired).toBe(1)
    expect(o.failingTotal).toBe(2)
    expect(o.failing.map((f) => [f.hostname, f.failures, f.lastError])).toEqual([
      ['f.example', 7, 'rate limited'],
      ['e.example', 2, 'order for e.example failed'],
    ])
  })

  it('when more certificates fail than are shown, then the total says how many', async () => {
    world = await serviceWorld()
    for (let i = 0; i < FAILING_SHOWN + 3; i++) {
      await world.deps.repos.certs.save(state(`h${i}.example`, 'failed'))
    }

    const o = await certificateOverview(world.deps, world.operator)

    expect(o.failing).toHaveLength(FAILING_SHOWN)
    expect(o.failingTotal).toBe(FAILING_SHOWN + 3)
  })

  it('when a tenant asks, then it is refused', async () => {
    world = await serviceWorld()
    const { actor } = await world.tenant('alpha')

    expect((await failure(certificateOverview(world.deps, actor))).code).toBe('FORBIDDEN')
  })
})
