import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { RateLimiter } from '../engines/rate-limit.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { receiveReport } from '../tls-rpt/report-intake.js'
import { setTlsRpt } from '../tls-rpt/tls-rpt.js'
import { tlsRptStep } from './tlsrpt-step.js'

let world: ServiceWorld
afterEach(() => world.close())

/** An RFC 8460 §4.4 report for alpha.example of `day` with these session counts. */
function report(id: string, day: string, ok: number, failed: number): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      'organization-name': 'Sender Example',
      'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
      'contact-info': 'tlsrpt@sender.example',
      'report-id': id,
      policies: [
        {
          policy: { 'policy-type': 'no-policy-found', 'policy-domain': 'alpha.example' },
          summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failed },
          'failure-details': [
            {
              'result-type': 'certificate-expired',
              'sending-mta-ip': '192.0.2.1',
              'receiving-mx-hostname': 'mx1.alpha.example',
              'failed-session-count': failed,
            },
          ],
        },
      ],
    }),
  )
}

/** alpha.example in `mode`, TLS-RPT to us, and these reports received. */
async function withReports(mode: 'testing' | 'enforce', reports: Uint8Array[], env = {}) {
  world = await serviceWorld(env)
  const a = await world.tenant('alpha')
  const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  await setPolicy(world.deps, a.actor, 'alpha.example', {
    mode,
    mx: ['mx1.alpha.example'],
    maxAge: 86400,
  })
  const { reportUrl } = await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: [] })
  const limits = {
    maxDecompressed: 1_048_576,
    perSource: new RateLimiter(100),
    perTenant: new RateLimiter(100),
  }
  for (const body of reports) {
    await receiveReport(world.deps, limits, {
      token: reportUrl.split('/tlsrpt/')[1]!,
      contentType: 'application/tlsrpt+json',
      body,
      source: 'https:192.0.2.1',
    })
  }
  const policy = await world.deps.repos.policies.get(domain.id)
  return tlsRptStep(world.deps, domain, policy, world.clock.now())
}

// The world's clock is 2026-03-01T12:00Z: the window is 02-27 … 03-01.
describe('the TLS-RPT check (issue 13)', () => {
  it('when senders reported 6 % failures yesterday, then one finding: an error in enforce', async () => {
    const r = await withReports('enforce', [report('r1', '2026-02-28', 940, 60)])

    expect(r).toEqual({
      kind: 'tls-rpt',
      found: [
        {
          kind: 'tls-rpt',
          key: 'tls-rpt:failure-rate',
          severity: 'error',
          message:
            'senders reported 60 of 1000 TLS sessions failing (6.0 %, above 5 %) over 3 days: certificate-expired 60',
        },
      ],
    })
  })

  it('when the failures are older than the window, or below the threshold, then nothing is found', async () => {
    const old = await withReports('testing', [report('r1', '2026-02-20', 0, 500)])
    await world.close()
    const few = await withReports('testing', [report('r2', '2026-02-28', 990, 10)])

    expect(old).toEqual({ kind: 'tls-rpt', found: [] })
    expect(few).toEqual({ kind: 'tls-rpt', found: [] })
  })

  it('when the operator sets TLSRPT_ALERT_FAILURE_PERCENT=0.5, then 1 % is a warning in testing', async () => {
    const r = await withReports('testing', [report('r2', '2026-02-28', 990, 10)], {
      TLSRPT_ALERT_FAILURE_PERCENT: '0.5',
    })

    expect(r).toMatchObject({ found: [{ key: 'tls-rpt:failure-rate', severity: 'warning' }] })
  })
})
