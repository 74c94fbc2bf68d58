import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.js'
import { WorkerPool } from './pool.js'
import { inProcessPorts, pooledPorts } from './ports.js'

const log = createLogger('warn', () => undefined)
const pool = new WorkerPool({
  size: 1,
  timeoutMs: 60_000,
  maxOldMb: 128,
  perTenant: 1,
  maxQueued: 4,
  log,
})
afterAll(() => pool.destroy())
const ports = pooledPorts(pool, { size: 1, maxQueued: 4 })

const report = new TextEncoder().encode('{}')
const limits = {
  maxDecompressed: 1024,
  store: { policies: 10, detailsPerPolicy: 10, parsedBytes: 65_536 },
}

describe('pooledPorts: TLS reports queue per tenant', () => {
  it("when one tenant's reports fill its share, then another tenant's report still gets a worker", async () => {
    // The share is the workers plus half the queue: 1 + 2 = 3 jobs for tenant a.
    const a = Array.from({ length: 4 }, () =>
      ports.process(report, 'application/tlsrpt+json', limits, 'tenant-a').catch((e) => e),
    )
    const b = await ports.process(report, 'application/tlsrpt+json', limits, 'tenant-b')
    const settled = await Promise.all(a)

    expect(b).toMatchObject({ ok: false, status: 400 })
    expect(settled.filter((r) => r?.code === 'RATE_LIMITED')).toHaveLength(1)
    expect(settled.filter((r) => r?.ok === false && r?.status === 400)).toHaveLength(3)
  }, 60_000)
})

describe('pooledPorts: the TLS health view', () => {
  it('when the view is computed in a worker, then it equals the in-process one, dates intact', async () => {
    const input = {
      domain: 'example.com',
      stored: [
        {
          id: 'r1',
          organization: 'Sender Inc.',
          reportId: 'r1',
          startAt: new Date('2026-11-04T00:00:00Z'),
          tally: JSON.stringify({
            successful: 9,
            failed: 1,
            policies: [['', 10]],
            mxSuccess: [],
            byType: [['certificate-expired', 1]],
            byMx: [['mx1.example.com', 1]],
            byIp: [],
          }),
          parsed: null,
        },
      ],
      served: [],
      now: new Date('2026-11-05T10:00:00Z'),
      days: 2,
    }
    const pooled = await ports.health(input, 'tenant-a')

    expect(pooled).toEqual(await inProcessPorts().health(input, 'tenant-a'))
    expect(pooled.days.map((d) => d.failedSessions)).toEqual([1, 0])
  }, 60_000)
})
