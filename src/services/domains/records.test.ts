import { afterEach, describe, expect, it } from 'vitest'
import {
  serviceWorld,
  type ServiceWorld,
  failure,
  REAL_LOGO,
} from '../../../test/helpers/services.js'
import { uploadLogo } from '../bimi/bimi-logo.js'
import { setLogoHost } from '../bimi/logo-host.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { setTlsRpt } from '../tls-rpt/tls-rpt.js'
import { addDomain } from './domains.js'
import { recordsFor } from './records.js'

const LOGO = REAL_LOGO

let world: ServiceWorld
afterEach(() => world.close())

const brief = (records: { name: string; type: string; value: string }[]) =>
  records.map((r) => `${r.name} ${r.type} ${r.value}`)

describe('recordsFor', () => {
  it('when a domain is a pending claim, then only its proof TXT record is listed', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    const claim = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'enforce',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })

    const records = await recordsFor(world.deps, a.actor, 'alpha.example')

    expect(brief(records)).toEqual([
      `_policyhost.alpha.example TXT policyhost-verify=${claim.verificationToken}`,
    ])
  })

  it('when a live domain has nothing set, then only the mta-sts CNAME to the service host', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })

    expect(brief(await recordsFor(world.deps, a.actor, 'alpha.example'))).toEqual([
      'mta-sts.alpha.example CNAME sts.policyhost.test.',
    ])
  })

  it('when policy, TLS-RPT, a logo and a logo host are set, then each has its record, from the stored state', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    const policy = await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'enforce',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })
    const tls = await setTlsRpt(world.deps, a.actor, 'alpha.example', {
      rua: ['mailto:tls@alpha.example'],
    })
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    await setLogoHost(world.deps, a.actor, 'alpha.example', { hostname: 'bimi.alpha.example' })

    const records = brief(await recordsFor(world.deps, a.actor, 'alpha.example'))

    expect(records).toEqual([
      'mta-sts.alpha.example CNAME sts.policyhost.test.',
      `_mta-sts.alpha.example TXT v=STSv1; id=${policy.policyId}`,
      // RFC 8460 §3: our endpoint first, then the tenant's own.
      `_smtp._tls.alpha.example TXT v=TLSRPTv1; rua=${tls.reportUrl},mailto:tls@alpha.example`,
      'bimi.alpha.example CNAME sts.policyhost.test.',
      // BIMI §4.2: a= is present and empty without a matching mark certificate.
      'default._bimi.alpha.example TXT v=BIMI1; l=https://bimi.alpha.example/default.svg; a=',
    ])
  })

  it("when another tenant asks for a tenant's records, then NOT_FOUND", async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'alpha.example' })
    const b = await world.tenant('beta')

    expect((await failure(recordsFor(world.deps, b.actor, 'alpha.example'))).code).toBe('NOT_FOUND')
  })
})
