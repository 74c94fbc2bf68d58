import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld } from '../../../../test/helpers/services.js'
import type { CertState } from '../../../core/certs/types.js'
import { pendingState } from '../../../services/certs/cert-attempt.js'

let world: ServiceWorld
afterEach(() => world.close())

const NOT_AFTER = new Date('2026-05-30T12:00:00Z')

const issued = (hostname: string): CertState => ({
  ...pendingState(hostname, START),
  status: 'ok',
  serial: '0a1b',
  notBefore: START,
  notAfter: NOT_AFTER,
})

describe('certificate state repository: list', () => {
  it('when there are no rows, then the list is empty', async () => {
    world = await serviceWorld()

    expect(await world.deps.repos.certs.list()).toEqual([])
  })

  it('when hostnames are pending, issued and failed, then each is listed once with its status and expiry only', async () => {
    world = await serviceWorld()
    const certs = world.deps.repos.certs
    await certs.save(pendingState('mta-sts.alpha.example', START))
    await certs.save(issued('mta-sts.bravo.example'))
    await certs.save({ ...pendingState('mta-sts.charlie.example', START), status: 'failed' })
    // A lease is no state change: it must not add or duplicate a row.
    await certs.acquire('mta-sts.bravo.example', 'owner-1', START, NOT_AFTER)

    const rows = await certs.list()

    expect(rows.sort((a, b) => a.hostname.localeCompare(b.hostname))).toEqual([
      { hostname: 'mta-sts.alpha.example', status: 'pending', notAfter: null },
      { hostname: 'mta-sts.bravo.example', status: 'ok', notAfter: NOT_AFTER },
      { hostname: 'mta-sts.charlie.example', status: 'failed', notAfter: null },
    ])
  })
})
