import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain, getDomain } from './domains.js'
import { checkPendingClaims, removeExpiredClaims, verifyDomain } from './domain-verification.js'

let world: ServiceWorld
afterEach(() => world.close())

const RECORD = '_policyhost.alpha.example'

/** A dns-verification world with tenant alpha's pending claim of alpha.example. */
async function claimed(env: Record<string, string> = {}) {
  world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns', ...env })
  const a = await world.tenant('alpha')
  const claim = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  const publish = (token = claim.verificationToken!) =>
    world.dns.txts.set(RECORD, [`policyhost-verify=${token}`])
  return { a, claim, publish }
}

describe('verifyDomain', () => {
  it('when the TXT record holds the claim token, then the domain goes live with its mta-sts host, audited and published', async () => {
    const { a, claim, publish } = await claimed()
    publish()
    world.changes.length = 0

    const out = await verifyDomain(world.deps, a.actor, 'alpha.example')

    expect(out.verified).toBe(true)
    expect(out.message).toBe('control of alpha.example is proven (dns)')
    const stored = await getDomain(world.deps, a.actor, 'alpha.example')
    expect(stored).toMatchObject({ status: 'active', verifiedAt: START, claimExpiresAt: null })
    expect(await world.deps.repos.domains.hostnames(claim.id)).toEqual([
      { name: 'mta-sts.alpha.example', domainId: claim.id, role: 'policy' },
    ])
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: claim.id, domain: 'alpha.example', what: 'status' },
    ])
    expect(await world.audit('domain.verify')).toMatchObject([
      {
        tenantId: a.id,
        actorTokenId: 't-alpha',
        subject: 'alpha.example',
        detail: { method: 'dns' },
      },
    ])
    expect(world.logged('domain_verified')).toHaveLength(1)
  })

  it.each([
    ['there is no TXT record', [], 'no TXT record at _policyhost.alpha.example; publish TXT'],
    [
      'the TXT record holds another token',
      ['policyhost-verify=someone-else', 'v=spf1 -all'],
      'do not hold this claim\'s token (found "policyhost-verify=someone-else")',
    ],
    [
      'the record holds only unrelated text',
      ['v=spf1 -all'],
      'do not hold this claim\'s token (found "v=spf1 -all")',
    ],
  ])(
    'when %s, then the claim stays pending and the reason is stored for the tenant',
    async (_, answers, reason) => {
      const { a, claim } = await claimed()
      world.dns.txts.set(RECORD, answers)
      world.changes.length = 0

      const out = await verifyDomain(world.deps, a.actor, 'alpha.example')

      expect(out.verified).toBe(false)
      expect(out.message).toContain(reason)
      const stored = await getDomain(world.deps, a.actor, 'alpha.example')
      expect(stored).toMatchObject({ status: 'pending', lastCheckAt: START })
      expect(stored.lastCheckError).toBe(out.message)
      expect(world.changes).toEqual([
        { type: 'domain.changed', domainId: claim.id, domain: 'alpha.example', what: 'claim' },
      ])
      expect(await world.audit('domain.verify')).toEqual([])
    },
  )

  it('when the DNS lookup fails, then the claim stays pending and the message says it is retried', async () => {
    const { a } = await claimed()
    world.dns.failing.add(RECORD)

    const out = await verifyDomain(world.deps, a.actor, 'alpha.example')

    expect(out.verified).toBe(false)
    expect(out.message).toMatch(
      /^the DNS lookup of _policyhost\.alpha\.example TXT failed \(.*ESERVFAIL.*\); it is retried on schedule$/,
    )
  })

  it('when the token is published with different case, then it does not prove control (base64url is case-sensitive)', async () => {
    const { a, claim, publish } = await claimed()
    const token = claim.verificationToken!
    const flipped = token === token.toUpperCase() ? token.toLowerCase() : token.toUpperCase()
    publish(flipped)

    expect((await verifyDomain(world.deps, a.actor, 'alpha.example')).verified).toBe(false)
  })

  it('when the domain is already verified, then it is left as it is and nothing is written', async () => {
    const { a, publish } = await claimed()
    publish()
    await verifyDomain(world.deps, a.actor, 'alpha.example')
    world.clock.advance(60)
    world.changes.length = 0

    const again = await verifyDomain(world.deps, a.actor, 'alpha.example')

    expect(again).toMatchObject({
      verified: true,
      message: `control of alpha.example is proven (${START.toISOString()})`,
    })
    expect(world.changes).toEqual([])
    expect(await world.audit('domain.verify')).toHaveLength(1)
  })

  it.each([
    ['trust', { trust: true }],
    ['tenantId', { tenantId: 'x' }],
  ])('when a tenant passes %s, then FORBIDDEN and the claim stays pending', async (_, input) => {
    const { a } = await claimed()

    const err = await failure(verifyDomain(world.deps, a.actor, 'alpha.example', input))

    expect(err.code).toBe('FORBIDDEN')
    expect((await getDomain(world.deps, a.actor, 'alpha.example')).status).toBe('pending')
  })

  it('when the operator trusts a claim, then it is live without DNS and the audit says trust', async () => {
    const { a } = await claimed()

    const out = await verifyDomain(world.deps, world.operator, 'alpha.example', { trust: true })

    expect(out).toMatchObject({ verified: true, domain: { status: 'active', tenantId: a.id } })
    expect(await world.audit('domain.verify')).toMatchObject([
      { tenantId: a.id, actorTokenId: 'operator-test-token', detail: { method: 'trust' } },
    ])
  })

  it('when another tenant asks to verify a name it has not claimed, then NOT_FOUND even though the record is published', async () => {
    const { publish } = await claimed()
    publish()
    const b = await world.tenant('beta')

    const err = await failure(verifyDomain(world.deps, b.actor, 'alpha.example'))

    expect(err.code).toBe('NOT_FOUND')
  })
})

describe('control moving between tenants', () => {
  /** Alpha holds alpha.example (verified); beta claims it too. */
  async function contested() {
    const { a, claim, publish } = await claimed()
    publish()
    await verifyDomain(world.deps, a.actor, 'alpha.example')
    const b = await world.tenant('beta')
    world.clock.advance(3600)
    const bClaim = await addDomain(world.deps, b.actor, { name: 'alpha.example' })
    return { a, b, aDomain: claim, bClaim }
  }

  it("when the second claimant's check fails, then it is told another tenant holds the name", async () => {
    const { b } = await contested()

    const out = await verifyDomain(world.deps, b.actor, 'alpha.example')

    expect(out.verified).toBe(false)
    expect(out.message).toContain('is held by another tenant; proving control moves it to you')
  })

  it('when the second claimant proves control, then the name moves: the old holder is pending again with a new token, told why, and audited', async () => {
    const { a, b, aDomain, bClaim } = await contested()
    const oldToken = (await getDomain(world.deps, a.actor, 'alpha.example')).verificationToken
    world.dns.txts.set(RECORD, [`policyhost-verify=${bClaim.verificationToken}`])
    world.changes.length = 0

    const out = await verifyDomain(world.deps, b.actor, 'alpha.example')

    expect(out.verified).toBe(true)
    expect(out.message).toContain('it moved here from the tenant that held it')
    const lost = await getDomain(world.deps, a.actor, 'alpha.example')
    expect(lost.status).toBe('pending')
    expect(lost.verificationToken).not.toBeNull()
    expect(lost.verificationToken).not.toBe(oldToken)
    expect(lost.verificationToken).not.toBe(bClaim.verificationToken)
    expect(lost.lastCheckError).toMatch(/^control moved to another tenant at /)
    expect(await world.deps.repos.domains.hostnames(aDomain.id)).toEqual([])
    expect(await world.deps.repos.domains.hostnames(bClaim.id)).toEqual([
      { name: 'mta-sts.alpha.example', domainId: bClaim.id, role: 'policy' },
    ])
    // The loser's names go first, then the winner's.
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: aDomain.id, domain: 'alpha.example', what: 'hostnames' },
      { type: 'domain.changed', domainId: bClaim.id, domain: 'alpha.example', what: 'status' },
    ])
    expect(await world.audit('domain.control_lost')).toMatchObject([
      {
        tenantId: a.id,
        actorTokenId: 't-beta',
        subject: 'alpha.example',
        detail: { method: 'dns' },
      },
    ])
    expect(world.logged('domain_control_moved')[0]).toMatchObject({
      level: 'warn',
      tenantId: b.id,
      fromTenantId: a.id,
    })
    expect((await getDomain(world.deps, world.operator, 'alpha.example')).tenantId).toBe(b.id)
  })

  it('when the old holder then checks and fails, then the notice that control moved is kept before the new reason', async () => {
    const { a, b, bClaim } = await contested()
    world.dns.txts.set(RECORD, [`policyhost-verify=${bClaim.verificationToken}`])
    await verifyDomain(world.deps, b.actor, 'alpha.example')

    const out = await verifyDomain(world.deps, a.actor, 'alpha.example')

    expect(out.verified).toBe(false)
    expect(out.message).toMatch(
      /^control moved to another tenant at .*\. Last check: the TXT records at _policyhost\.alpha\.example do not hold this claim's token/,
    )
  })
})

describe('checkPendingClaims', () => {
  it('when several claims are due, then each is checked once, the proven ones go live, and checks then back off', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    const good = await addDomain(world.deps, a.actor, { name: 'good.example' })
    await addDomain(world.deps, a.actor, { name: 'silent.example' })
    await addDomain(world.deps, a.actor, { name: 'broken.example' })
    world.dns.txts.set('_policyhost.good.example', [`policyhost-verify=${good.verificationToken}`])
    world.dns.failing.add('_policyhost.broken.example')

    expect(await checkPendingClaims(world.deps)).toEqual({ checked: 3, verified: 1 })
    expect((await getDomain(world.deps, a.actor, 'good.example')).status).toBe('active')
    // Just checked: not due again before the two-minute minimum gap.
    world.clock.advance(60)
    expect(await checkPendingClaims(world.deps)).toEqual({ checked: 0, verified: 0 })
    world.clock.advance(60)
    expect(await checkPendingClaims(world.deps)).toEqual({ checked: 2, verified: 0 })
    // The scheduled checks run as the system: the failures stay quiet at debug.
    expect(world.logged('domain_check_failed').every((e) => e.level === 'debug')).toBe(true)
  })

  it('when the batch is smaller than the claims due, then only the batch is checked', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    for (const n of ['a', 'b', 'c']) await addDomain(world.deps, a.actor, { name: `${n}.example` })

    expect(await checkPendingClaims(world.deps, 2)).toEqual({ checked: 2, verified: 0 })
    expect(await checkPendingClaims(world.deps, 2)).toEqual({ checked: 1, verified: 0 })
  })

  it('when a young claim is due behind more than 4 × batch stale claims that are not, then it is still checked', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    for (const n of ['o1', 'o2', 'o3', 'o4'])
      await addDomain(world.deps, a.actor, { name: `${n}.example` })
    // Checked four hours after they were made: each next falls due only an hour later.
    world.clock.advance(4 * 3600)
    expect(await checkPendingClaims(world.deps, 4)).toEqual({ checked: 4, verified: 0 })
    world.clock.advance(60)
    const young = await addDomain(world.deps, a.actor, { name: 'young.example' })
    expect(await checkPendingClaims(world.deps, 1)).toEqual({ checked: 1, verified: 0 })
    // The tenant publishes its record now; the young claim is due again two minutes after its check.
    world.dns.txts.set('_policyhost.young.example', [
      `policyhost-verify=${young.verificationToken}`,
    ])
    world.clock.advance(180)

    expect(await checkPendingClaims(world.deps, 1)).toEqual({ checked: 1, verified: 1 })
    expect((await getDomain(world.deps, a.actor, 'young.example')).status).toBe('active')
  })
})

describe('removeExpiredClaims', () => {
  it('when a claim outlives its lifetime unproven, then it is deleted, audited and published; live domains stay', async () => {
    const { a, claim } = await claimed({ DOMAIN_CLAIM_TTL_HOURS: '1' })
    const live = await addDomain(
      world.deps,
      world.operator,
      { name: 'live.example', tenantId: a.id },
      { trusted: true },
    )

    world.clock.advance(3599)
    expect(await removeExpiredClaims(world.deps)).toEqual([])
    world.clock.advance(2)
    world.changes.length = 0
    expect(await removeExpiredClaims(world.deps)).toEqual(['alpha.example'])

    expect((await failure(getDomain(world.deps, a.actor, 'alpha.example'))).code).toBe('NOT_FOUND')
    expect((await getDomain(world.deps, a.actor, 'live.example')).id).toBe(live.id)
    expect(world.changes).toEqual([
      { type: 'domain.removed', domainId: claim.id, domain: 'alpha.example', hostnames: [] },
    ])
    expect(await world.audit('domain.claim_expired')).toMatchObject([
      { tenantId: a.id, actorTokenId: null, subject: 'alpha.example' },
    ])
  })
})
