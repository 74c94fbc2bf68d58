import { afterEach, describe, expect, it } from 'vitest'
import { alphaWithDomain, serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { domainStatus } from '../domains/domain-status.js'
import { getDomain } from '../domains/domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { checkDomain } from './check-domain.js'

let world: ServiceWorld
afterEach(() => world.close())

const POLICY = {
  mode: 'enforce' as const,
  mx: ['mx1.alpha.example', '*.backup.example'],
  maxAge: 86400,
}

/** alpha.example with a policy, its _mta-sts record published right and its MX covered. */
async function healthy(mode: 'enforce' | 'testing' = 'enforce') {
  world = await serviceWorld()
  const { a } = await alphaWithDomain(world)
  const policy = await setPolicy(world.deps, a.actor, 'alpha.example', { ...POLICY, mode })
  world.dns.txts.set('_mta-sts.alpha.example', [`v=STSv1; id=${policy.policyId}`, 'v=spf1 -all'])
  world.dns.mxs.set('alpha.example', ['mx1.alpha.example', 'mx.backup.example'])
  const check = async () =>
    checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
  const state = async () =>
    world.deps.repos.checks.state((await getDomain(world.deps, a.actor, 'alpha.example')).id)
  return { a, policy, check, state }
}

const summary = (changes: { change: string; finding: { key: string } }[]) =>
  changes.map((c) => `${c.change} ${c.finding.key}`)

describe('checking a domain (issue 13)', () => {
  it('when the records are right and every MX is covered, then the checks run and find nothing', async () => {
    const { check, state } = await healthy()

    const r = await check()

    expect(r.ran.sort()).toEqual([
      'bimi',
      'certificate',
      'mx',
      'sts-record',
      'tls-rpt',
      'tlsrpt-record',
    ])
    // Service tests connect to no MX or policy host unless a test points them at its own server.
    expect(r.skipped).toEqual([
      { kind: 'starttls', reason: 'MX_PROBE=off' },
      { kind: 'policy-host', reason: 'POLICY_FETCH=off' },
    ])
    expect((await state()).findings).toEqual([])
  })

  it('when an MX outside the policy appears in enforce, then one error opens, an unchanged re-run reports nothing, and fixing it resolves it', async () => {
    const { check, state } = await healthy()
    world.dns.mxs.set('alpha.example', ['mx1.alpha.example', 'mx9.elsewhere.example'])

    const first = await check()
    const again = await check()
    world.dns.mxs.set('alpha.example', ['mx1.alpha.example'])
    const fixed = await check()

    expect(summary(first.changes)).toEqual(['opened mx:uncovered:mx9.elsewhere.example'])
    expect(first.changes[0]?.finding.severity).toBe('error')
    expect(again.changes).toEqual([])
    expect(summary(fixed.changes)).toEqual(['resolved mx:uncovered:mx9.elsewhere.example'])
    expect((await state()).findings).toEqual([])
  })

  it('when the policy is in testing, then an uncovered MX is a warning, and moving to enforce makes it an error', async () => {
    const { a, check } = await healthy('testing')
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example', 'mx1.alpha.example'])
    const testing = await check()
    const enforced = await setPolicy(world.deps, a.actor, 'alpha.example', POLICY)
    world.dns.txts.set('_mta-sts.alpha.example', [`v=STSv1; id=${enforced.policyId}`])

    const r = await check()

    expect(testing.changes.map((c) => c.finding.severity)).toEqual(['warning'])
    expect(r.changes).toMatchObject([
      { change: 'severity', was: 'warning', finding: { severity: 'error' } },
    ])
  })

  it('when the domain has no MX, then its own name is the MX a sender checks (RFC 5321 §5.1)', async () => {
    const { check } = await healthy()
    world.dns.mxs.delete('alpha.example')

    const r = await check()

    expect(summary(r.changes)).toEqual(['opened mx:uncovered:alpha.example'])
  })

  it('when the _mta-sts record is stale or doubled, then the drift is reported', async () => {
    const { check } = await healthy()
    world.dns.txts.set('_mta-sts.alpha.example', ['v=STSv1; id=old1'])
    const stale = await check()
    world.dns.txts.set('_mta-sts.alpha.example', ['v=STSv1; id=old1', 'v=STSv1; id=old2'])
    const doubled = await check()

    expect(summary(stale.changes)).toEqual(['opened sts-record:id-mismatch'])
    // Changes come in key order.
    expect(summary(doubled.changes)).toEqual([
      'resolved sts-record:id-mismatch',
      'opened sts-record:multiple',
    ])
  })

  it('when a lookup fails, then that check is skipped with the reason and its open findings stay open', async () => {
    const { check, state } = await healthy()
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])
    await check()
    world.dns.failing.add('alpha.example')

    const r = await check()

    expect(r.changes).toEqual([])
    expect(r.skipped).toEqual([
      { kind: 'mx', reason: 'lookup failed' },
      { kind: 'starttls', reason: 'MX_PROBE=off' },
      { kind: 'policy-host', reason: 'POLICY_FETCH=off' },
    ])
    const s = await state()
    expect(s.findings.map((f) => f.key)).toEqual(['mx:uncovered:mx9.elsewhere.example'])
    expect(s.runs.find((x) => x.kind === 'mx')?.skipped).toBe('lookup failed')
  })

  it("when the policy host's certificate has expired, then the certificate check reports it", async () => {
    const { check } = await healthy()
    const now = world.clock.now().getTime()
    const day = 86_400_000
    const state = await world.deps.repos.certs.get('mta-sts.alpha.example')
    await world.deps.repos.certs.save({
      ...state!,
      status: 'ok',
      serial: '0a',
      notBefore: new Date(now - 91 * day),
      notAfter: new Date(now - day),
      renewAt: new Date(now - 31 * day),
    })

    const r = await check()

    expect(summary(r.changes)).toEqual(['opened certificate:mta-sts.alpha.example:expired'])
  })

  it('when an MX is uncovered while testing, then the enforce advice in status says not yet, naming it', async () => {
    const { a, check } = await healthy('testing')
    world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])

    await check()
    const status = await domainStatus(world.deps, a.actor, 'alpha.example')

    expect(status.enforceAdvice?.ready).toBe(false)
    expect(status.enforceAdvice?.reasons).toContainEqual(
      expect.stringContaining('live check: MX mx9.elsewhere.example'),
    )
  })

  it('when the domain publishes no policy, then the records and MX are not held against it', async () => {
    world = await serviceWorld()
    const { a } = await alphaWithDomain(world)
    world.dns.mxs.set('alpha.example', ['anything.example'])

    const r = await checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))

    expect(r.changes).toEqual([])
  })

  it.each([
    ['testing', 'warning'],
    ['enforce', 'error'],
  ] as const)(
    'when a run finds an uncovered MX in %s, then metrics count each check that ran once, mx as %s, the rest ok, and none that was skipped',
    async (mode, worst) => {
      const { a } = await healthy(mode)
      world.dns.mxs.set('alpha.example', ['mx1.alpha.example', 'mx9.elsewhere.example'])
      const counted: string[] = []
      const deps = {
        ...world.deps,
        metrics: {
          ...world.deps.metrics,
          countCheck: (kind: string, result: string, domain?: string) =>
            void counted.push(`${kind} ${result} ${domain}`),
        },
      }

      await checkDomain(deps, await getDomain(world.deps, a.actor, 'alpha.example'))

      expect(counted.sort()).toEqual([
        'bimi ok alpha.example',
        'certificate ok alpha.example',
        `mx ${worst} alpha.example`,
        'sts-record ok alpha.example',
        'tls-rpt ok alpha.example',
        'tlsrpt-record ok alpha.example',
      ])
    },
  )
})
