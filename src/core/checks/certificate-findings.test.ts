import { describe, expect, it } from 'vitest'
import { certificateFindings } from './certificate-findings.js'

const NOW = new Date('2026-12-06T12:00:00Z')
const DAY = 86_400_000
const at = (days: number) => new Date(NOW.getTime() + days * DAY)
const HOST = 'mta-sts.alpha.example'

type Row =
  Parameters<typeof certificateFindings>[1] extends ReadonlyMap<string, infer C> ? C : never
const cert = (over: Partial<Row>): Row => ({
  hostname: HOST,
  status: 'ok',
  serial: '01',
  notBefore: at(-30),
  notAfter: at(60),
  renewAt: at(30),
  lastError: null,
  ...over,
})

describe('our certificates as a check sees them', () => {
  const cases: [string, Row | undefined, string[]][] = [
    ['a fresh 90-day certificate', cert({}), []],
    ['queued, no state yet', undefined, []],
    ['13 days left of 90', cert({ notBefore: at(-77), notAfter: at(13) }), ['expiring:warning']],
    ['15 days left of 90', cert({ notBefore: at(-75), notAfter: at(15) }), []],
    [
      'a local 7-day certificate with 2 days left (renewed at 2.3)',
      cert({ notBefore: at(-5), notAfter: at(2) }),
      [],
    ],
    [
      'a local 7-day certificate with 1 day left',
      cert({ notBefore: at(-6), notAfter: at(1) }),
      ['expiring:warning'],
    ],
    ['expired', cert({ notBefore: at(-91), notAfter: at(-1) }), ['expired:error']],
    [
      'the name does not point at us',
      cert({ status: 'dns_pending', serial: null, notBefore: null, notAfter: null, renewAt: null }),
      ['dns-pending:warning'],
    ],
    [
      'never issued, failing',
      cert({
        status: 'failed',
        serial: null,
        notBefore: null,
        notAfter: null,
        renewAt: null,
        lastError: 'CA said no',
      }),
      ['not-issued:error'],
    ],
    [
      'renewal failing for 2 days',
      cert({ status: 'failed', renewAt: at(-2), lastError: 'timeout' }),
      ['renewal-failing:error'],
    ],
    ['renewal failing for half a day', cert({ status: 'failed', renewAt: at(-0.5) }), []],
  ]
  for (const [what, row, expected] of cases) {
    it(`when ${what}, then ${expected.join(', ') || 'nothing'}`, () => {
      const states = new Map(row ? [[HOST, row]] : [])
      const found = certificateFindings([HOST], states, NOW)
      expect(found.map((f) => `${f.key.split(':')[2]}:${f.severity}`)).toEqual(expected)
      expect(
        found.every((f) => f.kind === 'certificate' && f.key.startsWith(`certificate:${HOST}:`)),
      ).toBe(true)
    })
  }

  it('when a renewal fails, then the message carries the last error', () => {
    const [f] = certificateFindings(
      [HOST],
      new Map([[HOST, cert({ status: 'failed', renewAt: at(-2), lastError: 'rateLimited' })]]),
      NOW,
    )
    expect(f?.message).toContain('rateLimited')
  })
})
