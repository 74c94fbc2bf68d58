import { describe, expect, it } from 'vitest'
import { alertBody, nextAttempt, RETRY_LADDER_MS } from './alert-delivery.js'

const NOW = new Date('2026-12-06T12:00:00Z')

describe('alert retries and bodies', () => {
  it('when attempts fail, then the waits follow the ladder and the delivery gives up after the last', () => {
    const waits = RETRY_LADDER_MS.map((_, i) => nextAttempt(i + 1, NOW)!.getTime() - NOW.getTime())
    expect(waits).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000])
    expect(nextAttempt(RETRY_LADDER_MS.length + 1, NOW)).toBeNull()
  })

  it('when a finding opens, then the body names the change, the domain and the finding, and nothing else', () => {
    const body = JSON.parse(
      alertBody({
        id: 'd1',
        event: {
          id: 7,
          tenantId: 't1',
          domain: 'alpha.example',
          change: 'opened',
          key: 'mx:uncovered:mx9.example',
          kind: 'mx',
          severity: 'error',
          message: 'MX mx9.example is not in the policy',
          at: NOW,
        },
      }),
    )
    expect(body).toEqual({
      type: 'finding.opened',
      deliveryId: 'd1',
      domain: 'alpha.example',
      check: 'mx',
      key: 'mx:uncovered:mx9.example',
      severity: 'error',
      message: 'MX mx9.example is not in the policy',
      at: '2026-12-06T12:00:00.000Z',
    })
    // The tenant id is ours, not the receiver's business.
    expect(JSON.stringify(body)).not.toContain('t1')
  })
})
